/* floor_client.c: the floor for the end-to-end client benchmarks. Not a general WebSocket client:
 * one connection, numeric IPv4 ws:// URLs, no TLS, no permessage-deflate.
 *
 *     floor_client URL --connections 1 --size BYTES --in-flight K --duration SECONDS [--binary]
 *     floor_client URL --connections 1 --duration SECONDS --churn
 *
 * Why: the client's design targets are CPU per message, per MB and per connection. This program
 * does only what a correct client must for the benchmark's exchanges over TCP, so its figures show
 * what the kernel and the mandatory masking cost alone: one blocking socket, no threads, no event
 * loop, one read and then one write for all the frames it answers, every frame masked with a fresh
 * key as its payload is copied into the send buffer, echoes checked by kind and length, received
 * payloads left where the kernel put them. Whatever a real client spends above this is its own.
 *
 * It follows the load client contract of README.md (the same JSON line, window, CPU and
 * percentiles as load_contract.py and picows_client.py) for one connection only: any other
 * --connections, and --deflate, exit 2. bench.py runs it as the client "floor (C, raw TCP)" from
 * .build/peers/floor_client, and reports it unsupported for other workloads.
 *
 * Build: cc -O2 -std=c11 -Wall -Wextra -o .build/peers/floor_client Benchmarks/EndToEnd/floor_client.c
 */
#define _GNU_SOURCE /* memmem, MSG_NOSIGNAL */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

enum { CONTINUATION = 0, TEXT = 1, BINARY = 2, CLOSE = 8, PING = 9, PONG = 10 };
#define MAX_HEADER 14 /* 2 + 8 length bytes + 4 mask bytes */
#define TIMEOUT_TICKS 10 /* the contract's 10 s waits, counted in the 1 s timer ticks below */
/* A fixed key (RFC 6455's sample, 16 bytes in base64) spares the random key and the SHA-1 a real
   client spends per connection; the server's answer is still checked against the known accept. */
#define KEY "dGhlIHNhbXBsZSBub25jZQ=="
#define ACCEPT "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="

static int sock = -1;
static struct sockaddr_in address;
static char request[512];
static size_t request_length;

static uint8_t *in; /* received bytes; in[pos, len) not yet parsed */
static size_t in_capacity, pos, len;
static uint64_t skip;         /* payload bytes of the current data frame still to come */
static int in_payload, ends_message;
static int fragment_kind = -1; /* of the message whose frames are arriving, or -1 */
static uint64_t fragment_size;
static int closing, close_received;

static int kind = TEXT, in_flight = 1;
static size_t size = 16;
static uint8_t *payload, *out; /* the message made once; frames to send */
static size_t out_length;
static int64_t *sent_at; /* FIFO ring of send times, oldest at head: echoes come back in order */
static int head, outstanding, stopping;
static int64_t now_ns; /* one clock reading per read: every echo in it arrived by then */
static int64_t *round_trips;
static size_t count, capacity;
static uint64_t random_state;

static void fail(const char *format, ...) {
    va_list arguments;
    va_start(arguments, format);
    fputs("floor_client: ", stderr);
    vfprintf(stderr, format, arguments);
    fputc('\n', stderr);
    va_end(arguments);
    exit(1);
}

static void usage(const char *message) {
    fprintf(stderr, "floor_client: %s\nusage: floor_client ws://IPV4:PORT/PATH --connections 1 --size BYTES "
            "--in-flight K --duration SECONDS [--binary] | --churn\n", message);
    exit(2);
}

static int64_t clock_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static double cpu_seconds(void) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

/* xorshift64: a fresh key per frame for about a nanosecond (a real client would want a CSPRNG). */
static uint32_t next_key(void) {
    random_state ^= random_state << 13;
    random_state ^= random_state >> 7;
    random_state ^= random_state << 17;
    return (uint32_t)(random_state >> 32);
}

/* Writes one masked frame with FIN at `frame` and returns its length. The payload is masked as it
   is copied, 8 bytes at a time: the copy into the send buffer is the masking pass. */
static size_t put_frame(uint8_t *frame, int opcode, const uint8_t *data, size_t n) {
    uint8_t *p = frame;
    *p++ = 0x80 | opcode;
    if (n < 126) {
        *p++ = 0x80 | n;
    } else if (n <= 0xFFFF) {
        *p++ = 0x80 | 126;
        *p++ = n >> 8;
        *p++ = n & 0xFF;
    } else {
        *p++ = 0x80 | 127;
        for (int shift = 56; shift >= 0; shift -= 8) *p++ = (uint64_t)n >> shift & 0xFF;
    }
    uint32_t key = next_key();
    memcpy(p, &key, 4); /* the key's bytes in memory order are the mask, so key8 below matches */
    const uint8_t *mask = p;
    p += 4;
    uint64_t key8 = (uint64_t)key << 32 | key, word;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        memcpy(&word, data + i, 8);
        word ^= key8;
        memcpy(p + i, &word, 8);
    }
    for (; i < n; i++) p[i] = data[i] ^ mask[i & 3];
    return (size_t)(p - frame) + n;
}

static void send_all(const uint8_t *data, size_t n) {
    while (n > 0) {
        ssize_t written = send(sock, data, n, MSG_NOSIGNAL);
        if (written < 0) {
            if (errno == EINTR) continue;
            fail("send: %s", strerror(errno));
        }
        data += written;
        n -= (size_t)written;
    }
}

/* One blocking read into the free end of the buffer; waits longer than 10 s fail with `what`. */
static void read_more(const char *what) {
    for (int ticks = 0;;) {
        ssize_t n = read(sock, in + len, in_capacity - len);
        if (n > 0) {
            len += (size_t)n;
            return;
        }
        if (n == 0) fail("the server closed the connection during %s", what);
        if (errno != EINTR) fail("read: %s", strerror(errno));
        if (++ticks > TIMEOUT_TICKS) fail("%s did not finish within 10 s", what);
    }
}

static void send_message(void) {
    int slot = head + outstanding;
    sent_at[slot >= in_flight ? slot - in_flight : slot] = now_ns;
    outstanding++;
    out_length += put_frame(out + out_length, kind, payload, size);
}

static void record(int64_t round_trip) {
    if (count == capacity) {
        capacity = capacity ? 2 * capacity : 1 << 16;
        if (!(round_trips = realloc(round_trips, capacity * sizeof *round_trips))) fail("out of memory");
    }
    round_trips[count++] = round_trip;
}

static void echoed(int got_kind, uint64_t got_size) {
    if (outstanding == 0) fail("a message came back that was never sent");
    if (got_kind != kind || got_size != size)
        fail("the server did not echo the message: got %s of %llu B", got_kind == TEXT ? "text" : "binary",
             (unsigned long long)got_size);
    int64_t round_trip = now_ns - sent_at[head];
    if (++head == in_flight) head = 0;
    outstanding--;
    if (stopping) return;
    record(round_trip);
    send_message();
}

static void control(int opcode, const uint8_t *data, size_t n) {
    if (opcode == PING) { /* answered at once: `out` only ever holds whole frames, so order is safe */
        uint8_t pong[MAX_HEADER + 125];
        send_all(pong, put_frame(pong, PONG, data, n));
    } else if (opcode == CLOSE) {
        if (!closing) fail("the server closed the connection early, with %d", n >= 2 ? data[0] << 8 | data[1] : 1005);
        close_received = 1;
    } else if (opcode != PONG) {
        fail("unknown control opcode %d", opcode);
    }
}

/* Parses the frames in in[pos, len). Payloads are skipped where they lie (only their length
   matters); only an incomplete header or control frame is ever moved, to the buffer's start. */
static void parse(void) {
    while (!close_received) {
        if (in_payload) {
            size_t available = len - pos;
            size_t take = skip < available ? (size_t)skip : available;
            pos += take;
            if ((skip -= take) > 0) break;
            in_payload = 0;
            if (ends_message) {
                echoed(fragment_kind, fragment_size);
                fragment_kind = -1;
            }
        }
        size_t available = len - pos, header = 2;
        const uint8_t *h = in + pos;
        if (available < 2) break;
        int fin = h[0] & 0x80, opcode = h[0] & 0x0F;
        uint64_t n = h[1] & 0x7F;
        if (h[0] & 0x70) fail("a frame has reserved bits set, but no extension was negotiated");
        if (h[1] & 0x80) fail("the server masked a frame");
        if (n == 126) {
            if (available < (header = 4)) break;
            n = (uint64_t)h[2] << 8 | h[3];
        } else if (n == 127) {
            if (available < (header = 10)) break;
            n = 0;
            for (int i = 2; i < 10; i++) n = n << 8 | h[i];
        }
        if (opcode >= 8) { /* control frames are short and whole: handle them in the buffer */
            if (!fin || n > 125) fail("a control frame is fragmented or too long");
            if (available < header + n) break;
            control(opcode, h + header, (size_t)n);
            pos += header + (size_t)n;
            continue;
        }
        if (opcode == CONTINUATION) {
            if (fragment_kind < 0) fail("a continuation frame came with no message to continue");
            fragment_size += n;
        } else if (opcode == TEXT || opcode == BINARY) {
            if (fragment_kind >= 0) fail("a message began inside a fragmented one");
            fragment_kind = opcode;
            fragment_size = n;
        } else {
            fail("unknown opcode %d", opcode);
        }
        pos += header;
        skip = n;
        in_payload = 1;
        ends_message = fin != 0;
    }
    if (pos == len) { /* the usual case: the next read starts at the buffer's start, big payloads too */
        pos = len = 0;
    } else if (pos > 0) { /* at most a header or a control frame: under 140 bytes */
        memmove(in, in + pos, len - pos);
        len -= pos;
        pos = 0;
    }
}

static void flush(void) {
    send_all(out, out_length);
    out_length = 0;
}

/* Connects and completes the opening handshake; bytes after the response are frames. */
static void open_connection(int no_delay) {
    if ((sock = socket(AF_INET, SOCK_STREAM, 0)) < 0) fail("socket: %s", strerror(errno));
    /* Nagle would hold back the frames sent while earlier ones are unacknowledged. Churn never does
       that (each write follows a reply that acknowledges everything before it), so it skips the call. */
    int one = 1;
    if (no_delay && setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0)
        fail("setsockopt: %s", strerror(errno));
    if (connect(sock, (struct sockaddr *)&address, sizeof address) < 0) {
        /* Interrupted by the timer, the connect goes on by itself: wait for it, then ask how it went. */
        int error = errno;
        socklen_t length = sizeof error;
        struct pollfd waiting = {sock, POLLOUT, 0};
        if (error == EINTR) {
            while (poll(&waiting, 1, -1) < 0 && errno == EINTR) {}
            getsockopt(sock, SOL_SOCKET, SO_ERROR, &error, &length);
        }
        if (error) fail("could not connect: %s", strerror(error));
    }
    send_all((const uint8_t *)request, request_length);
    pos = len = 0;
    in_payload = closing = close_received = 0;
    fragment_kind = -1;
    const uint8_t *end;
    while (!(end = memmem(in, len, "\r\n\r\n", 4))) {
        if (len > 16384) fail("the handshake response has no end");
        read_more("the opening handshake");
    }
    size_t header = (size_t)(end - in) + 4;
    if (header < 17 || memcmp(in, "HTTP/1.1 101", 12) != 0 || (in[12] != ' ' && in[12] != '\r')) {
        int line = 0;
        while (line < 200 && in[line] != '\r') line++; /* there is one: the header's end */
        fail("the server refused the upgrade: %.*s", line, in);
    }
    if (!memmem(in, header, ACCEPT, strlen(ACCEPT))) fail("the server's Sec-WebSocket-Accept is missing or wrong");
    pos = header;
}

/* Sends a Close with 1000 and reads until the server's Close; then the TCP connection can go. */
static void close_connection(void) {
    static const uint8_t normal[2] = {1000 >> 8, 1000 & 0xFF};
    uint8_t frame[MAX_HEADER + 2];
    closing = 1;
    send_all(frame, put_frame(frame, CLOSE, normal, 2));
    parse();
    while (!close_received) {
        read_more("the closing handshake");
        parse();
    }
    close(sock);
}

static int by_value(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Nearest rank, in microseconds rounded half to even (as Python's round), of the sorted round trips. */
static long long percentile(double fraction) {
    double exact = fraction * (double)count;
    size_t rank = (size_t)exact;
    if ((double)rank < exact) rank++;
    if (rank < 1) rank = 1;
    long long ns = round_trips[rank - 1], us = ns / 1000, rest = ns % 1000;
    return us + (rest > 500 || (rest == 500 && (us & 1)));
}

static void on_tick(int signal) { (void)signal; } /* only there to interrupt blocking calls */

/* The timer ends the window (its first tick, at the duration) and bounds every wait (its ticks
   each second after): a blocking read needs no poll and no clock reading to time out. */
static void start_timer(double first_tick) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_tick; /* no SA_RESTART: a tick interrupts the read */
    sigaction(SIGALRM, &action, NULL);
    struct itimerval timer = {{1, 0}, {(time_t)first_tick, (suseconds_t)((first_tick - (time_t)first_tick) * 1e6)}};
    if (timer.it_value.tv_sec == 0 && timer.it_value.tv_usec == 0) timer.it_value.tv_usec = 1;
    setitimer(ITIMER_REAL, &timer, NULL);
}

int main(int argc, char **argv) {
    const char *url = NULL;
    long long connections = 1, size_arg = 16, in_flight_arg = 1;
    double duration = 10;
    int churn = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        char *end = NULL;
        if (!strcmp(a, "--binary")) kind = BINARY;
        else if (!strcmp(a, "--churn")) churn = 1;
        else if (!strcmp(a, "--deflate")) usage("permessage-deflate is not supported: this is the floor without it");
        else if (strncmp(a, "--", 2) != 0) {
            if (url) usage("more than one URL");
            url = a;
        } else {
            long long *number = !strcmp(a, "--connections") ? &connections : !strcmp(a, "--size") ? &size_arg
                              : !strcmp(a, "--in-flight") ? &in_flight_arg : NULL;
            if (!number && strcmp(a, "--duration") != 0) usage("unknown option");
            if (i + 1 == argc) usage("an option lacks its value");
            const char *value = argv[++i];
            errno = 0;
            if (number) *number = strtoll(value, &end, 10);
            else duration = strtod(value, &end);
            if (end == value || *end || errno) usage("a value is not a number");
        }
    }
    if (!url) usage("no URL");
    if (connections != 1) usage("only --connections 1 is supported");
    if (in_flight_arg < 1 || in_flight_arg > 1 << 20 || size_arg < 0 || size_arg > 1LL << 32 || !(duration > 0) || duration > 1e6)
        usage("--in-flight must be 1 to 2^20, --size 0 to 4 GiB, --duration positive");
    in_flight = (int)in_flight_arg;
    size = (size_t)size_arg;

    /* ws://A.B.C.D[:PORT][/PATH] */
    char host[16];
    long port = 80;
    int host_end = 0, port_end = 0;
    int fields = sscanf(url, "ws://%15[0-9.]%n:%5ld%n", host, &host_end, &port, &port_end);
    const char *path = url + (fields == 2 ? port_end : host_end);
    if (fields < 1 || (fields == 1 && *path == ':') || (*path && *path != '/') || port < 1 || port > 65535)
        usage("the URL must be ws://IPV4[:PORT][/PATH]");
    if (!*path) path = "/";
    address.sin_family = AF_INET;
    address.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &address.sin_addr) != 1) usage("the URL's host must be a numeric IPv4 address");
    int written = snprintf(request, sizeof request,
                           "GET %s HTTP/1.1\r\nHost: %s:%ld\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                           "Sec-WebSocket-Key: " KEY "\r\nSec-WebSocket-Version: 13\r\n\r\n", path, host, port);
    if (written < 0 || (size_t)written >= sizeof request) usage("the URL is too long");
    request_length = (size_t)written;

    /* Room for a whole 1 MiB echo (or a bigger one) per read: fewer reads, and payloads land in place. */
    in_capacity = (size > 1 << 20 ? size : 1 << 20) + MAX_HEADER + 125;
    in = malloc(in_capacity);
    if (!in) fail("out of memory");
    random_state = (uint64_t)clock_ns() ^ (uint64_t)getpid() << 32 ^ 0x9E3779B97F4A7C15u;

    int64_t start, end;
    double start_cpu, end_cpu;
    if (churn) {
        /* Each connection: open, Close 1000, the server's Close, close; its duration is the round trip. */
        start_timer(1);
        start = now_ns = clock_ns();
        start_cpu = cpu_seconds();
        int64_t deadline = start + (int64_t)(duration * 1e9);
        while (now_ns < deadline) {
            int64_t started = now_ns;
            open_connection(0);
            close_connection();
            now_ns = clock_ns();
            record(now_ns - started);
        }
        end = now_ns;
        end_cpu = cpu_seconds();
        size = 0;
    } else {
        payload = malloc(size ? size : 1);
        sent_at = malloc(sizeof *sent_at * (size_t)in_flight);
        out = malloc((size + MAX_HEADER) * (size_t)in_flight); /* one read answers at most K echoes */
        if (!payload || !sent_at || !out) fail("out of memory");
        memset(payload, kind == BINARY ? 0x5A : 'z', size);
        start_timer(1); /* bounds the handshake */
        open_connection(1);

        /* The window: from the first frames sent until the first read that returns after the duration. */
        start_timer(duration);
        start = now_ns = clock_ns();
        start_cpu = cpu_seconds();
        int64_t deadline = start + (int64_t)(duration * 1e9);
        for (int i = 0; i < in_flight; i++) send_message();
        flush();
        parse(); /* frames that came with the handshake response, if any */
        end = 0;
        end_cpu = 0;
        for (int ticks = 0; !stopping || outstanding > 0;) {
            ssize_t n = read(sock, in + len, in_capacity - len);
            now_ns = clock_ns();
            if (!stopping && now_ns >= deadline) { /* what this read brought is after the window */
                end = now_ns;
                end_cpu = cpu_seconds();
                stopping = 1;
            }
            if (n > 0) {
                len += (size_t)n;
                parse();
                flush();
            } else if (n == 0) {
                fail("the connection was lost before the end of the run");
            } else if (errno != EINTR) {
                fail("read: %s", strerror(errno));
            } else if (stopping && outstanding > 0 && ++ticks > TIMEOUT_TICKS) {
                fail("%d echo(es) did not come back within 10 s", outstanding);
            }
        }
        close_connection();
    }

    if (count == 0) fail("no echo came back during the run");
    qsort(round_trips, count, sizeof *round_trips, by_value);
    printf("{\"messages\":%zu,\"bytes\":%llu,\"seconds\":%.9f,\"cpuSeconds\":%.6f,"
           "\"p50\":%lld,\"p90\":%lld,\"p99\":%lld,\"p999\":%lld}\n",
           count, (unsigned long long)count * size, (double)(end - start) / 1e9, end_cpu - start_cpu,
           percentile(0.50), percentile(0.90), percentile(0.99), percentile(0.999));
    return 0;
}
