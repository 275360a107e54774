# Runs Autobahn|Testsuite's `wstest` with the same arguments, except that every socket it
# listens on is bound to 127.0.0.1.
#
# Why: wstest (autobahn 0.10.9's listenWS, and the fuzzingserver's web page server) always
# listens with Twisted's default interface '', that is on every interface, and has no option
# to change it. Traffic must stay on this machine, so this launcher replaces the reactor's
# listenTCP and listenSSL with versions that pass interface='127.0.0.1' whatever they are given.
#
# Python 2.7: the testsuite runs on nothing newer. Run with the autobahn venv's python.
import sys

import autobahntestsuite  # noqa: F401 -- installs the epoll reactor; must come before the reactor import
from autobahntestsuite import wstest
from twisted.internet import reactor

LOOPBACK = '127.0.0.1'

listen_tcp = reactor.listenTCP
listen_ssl = reactor.listenSSL


def listen_tcp_on_loopback(port, factory, backlog=50, interface=''):
    return listen_tcp(port, factory, backlog, LOOPBACK)


def listen_ssl_on_loopback(port, factory, context_factory, backlog=50, interface=''):
    return listen_ssl(port, factory, context_factory, backlog, LOOPBACK)


reactor.listenTCP = listen_tcp_on_loopback
reactor.listenSSL = listen_ssl_on_loopback

if __name__ == '__main__':
    sys.argv[0] = 'wstest'
    wstest.run()
