# Runs Autobahn|Testsuite's `wstest` with the same arguments and two changes, for scripts/autobahn.
#
# 1. Every socket it listens on is bound to 127.0.0.1. wstest (autobahn 0.10.9's listenWS, and
#    the fuzzingserver's web page server) always listens with Twisted's default interface '',
#    that is on every interface, and has no option to change it; traffic must stay on this
#    machine. So the reactor's listenTCP and listenSSL are replaced with versions that pass
#    interface='127.0.0.1' whatever they are given.
#
# 2. The JSON results are written before the HTML pages, and a failure while writing the pages
#    is printed instead of raised. The suite writes its reports in one synchronous pass, the
#    index page first and then each case's HTML and JSON in turn; an exception anywhere in it
#    (the HTML writer formats whatever the peer sent) leaves every later JSON file unwritten
#    and, in fuzzingclient mode, skips the reactor.stop() that follows, so wstest never exits.
#
# Python 2.7: the testsuite runs on nothing newer. Run with the autobahn venv's python.
import sys
import traceback

import autobahntestsuite  # noqa: F401 -- installs the epoll reactor; must come before the reactor import
from autobahntestsuite import fuzzing, wstest
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

create_reports = fuzzing.FuzzingFactory.createReports


def create_json_then_html_reports(self, produceHtml=True, produceJson=True):
    if produceJson:
        create_reports(self, produceHtml=False, produceJson=True)
    if produceHtml:
        try:
            create_reports(self, produceHtml=True, produceJson=False)
        except Exception:
            sys.stdout.write('autobahn-wstest: the HTML reports are incomplete; the JSON results are all written\n')
            traceback.print_exc()


fuzzing.FuzzingFactory.createReports = create_json_then_html_reports

if __name__ == '__main__':
    sys.argv[0] = 'wstest'
    wstest.run()
