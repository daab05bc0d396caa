// Headline-benchmark peer: the smallest Deepgram-protocol client we could write, in C. It is
// not a product: it shows the floor any client pays for the same stream on this machine (one
// wake-up and one send per 50 ms chunk, the kernel's loopback TCP path, reading the results),
// so the CPU of captty and of the official SDKs can be read against it.
//
// Usage: floor_client HOST PORT WAV SPEED   (16 kHz mono s16 WAV; SPEED 0: as fast as possible)
// Key from DEEPGRAM_API_KEY. Sends 50 ms binary frames (masked, RFC 6455), CloseStream, then reads
// until the server closes; prints every non-empty final transcript on stdout (one line each,
// written at once), "connecting" on stderr right before connecting.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static unsigned char inbuf[1 << 20];
static size_t inlen;

static void die(const char *what) { perror(what); exit(1); }

static void send_all(int fd, const unsigned char *p, size_t n) {
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EAGAIN || errno == EINTR) {
                struct pollfd q = {fd, POLLOUT, 0};
                poll(&q, 1, 1000);
                continue;
            }
            die("send");
        }
        p += w; n -= (size_t)w;
    }
}

static void send_frame(int fd, int opcode, const unsigned char *p, size_t n) {
    static unsigned char out[70000];
    size_t h = 0;
    unsigned char key[4];
    if (getrandom(key, 4, 0) != 4) die("getrandom");
    out[h++] = 0x80 | opcode;
    if (n < 126) { out[h++] = 0x80 | n; }
    else { out[h++] = 0x80 | 126; out[h++] = n >> 8; out[h++] = n & 255; }
    memcpy(out + h, key, 4); h += 4;
    for (size_t i = 0; i < n; i++) out[h + i] = p[i] ^ key[i & 3];
    send_all(fd, out, h + n);
}

// Prints the transcript of a final Results message (the server's JSON, as json.dumps writes it).
static void on_text(const char *msg, size_t n) {
    char tmp[65536];
    if (n >= sizeof tmp) return;
    memcpy(tmp, msg, n); tmp[n] = 0;
    if (!strstr(tmp, "\"type\": \"Results\"") || !strstr(tmp, "\"is_final\": true")) return;
    char *t = strstr(tmp, "\"transcript\": \"");
    if (!t) return;
    t += strlen("\"transcript\": \"");
    char *e = strchr(t, '"');
    if (!e || e == t) return;
    *e = '\n';
    if (write(1, t, (size_t)(e - t + 1)) < 0) die("write");
}

// Reads what is there; returns 0 when the server closed.
static int pump_input(int fd) {
    for (;;) {
        ssize_t r = recv(fd, inbuf + inlen, sizeof inbuf - inlen, 0);
        if (r == 0) return 0;
        if (r < 0) return (errno == EAGAIN || errno == EINTR) ? 1 : 0;
        inlen += (size_t)r;
        size_t off = 0;
        while (inlen - off >= 2) {
            unsigned char *f = inbuf + off;
            size_t len = f[1] & 127, hdr = 2;
            if (len == 126) { if (inlen - off < 4) break; len = (size_t)f[2] << 8 | f[3]; hdr = 4; }
            else if (len == 127) { if (inlen - off < 10) break; len = 0; for (int i = 2; i < 10; i++) len = len << 8 | f[i]; hdr = 10; }
            if (inlen - off < hdr + len) break;
            int opcode = f[0] & 15;
            if (opcode == 1) on_text((const char *)f + hdr, len);
            if (opcode == 8) return 0;
            off += hdr + len;
        }
        memmove(inbuf, inbuf + off, inlen - off);
        inlen -= off;
    }
}

int main(int argc, char **argv) {
    if (argc != 5) { fprintf(stderr, "usage: floor_client HOST PORT WAV SPEED\n"); return 2; }
    const char *key = getenv("DEEPGRAM_API_KEY");
    double speed = atof(argv[4]);
    FILE *f = fopen(argv[3], "rb");
    if (!f) die("open wav");
    fseek(f, 0, SEEK_END);
    long size = ftell(f) - 44;
    fseek(f, 44, SEEK_SET);
    unsigned char *audio = malloc((size_t)size);
    if (fread(audio, 1, (size_t)size, f) != (size_t)size) die("read wav");
    fclose(f);

    fprintf(stderr, "connecting\n");
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)atoi(argv[2]));
    inet_pton(AF_INET, argv[1], &a.sin_addr);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) die("connect");
    char req[1024];
    int rl = snprintf(req, sizeof req,
        "GET /v1/listen?model=nova-3&encoding=linear16&sample_rate=16000&channels=1&interim_results=true"
        "&utterance_end_ms=1000&vad_events=true&punctuate=true&smart_format=true HTTP/1.1\r\n"
        "Host: %s:%s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        "Authorization: Token %s\r\n\r\n", argv[1], argv[2], key ? key : "");
    send_all(fd, (const unsigned char *)req, (size_t)rl);
    // The 101 response ends with an empty line; anything after it is frames.
    for (;;) {
        ssize_t r = recv(fd, inbuf + inlen, sizeof inbuf - inlen, 0);
        if (r <= 0) die("upgrade");
        inlen += (size_t)r;
        unsigned char *end = memmem(inbuf, inlen, "\r\n\r\n", 4);
        if (!end) continue;
        if (memcmp(inbuf, "HTTP/1.1 101", 12) != 0) { fprintf(stderr, "upgrade refused\n"); return 1; }
        size_t used = (size_t)(end + 4 - inbuf);
        memmove(inbuf, inbuf + used, inlen - used);
        inlen -= used;
        break;
    }
    fcntl(fd, F_SETFL, O_NONBLOCK);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    const long chunk = 1600;
    for (long off = 0, i = 1; off < size; off += chunk, i++) {
        send_frame(fd, 2, audio + off, (size_t)(size - off < chunk ? size - off : chunk));
        pump_input(fd);
        if (speed > 0) {
            long long ns = (long long)(i * 50e6 / speed);
            struct timespec d = t0;
            d.tv_sec += ns / 1000000000;
            d.tv_nsec += ns % 1000000000;
            if (d.tv_nsec >= 1000000000) { d.tv_sec++; d.tv_nsec -= 1000000000; }
            clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &d, NULL);
        }
    }
    const char *close_stream = "{\"type\": \"CloseStream\"}";
    send_frame(fd, 1, (const unsigned char *)close_stream, strlen(close_stream));
    for (;;) {
        struct pollfd q = {fd, POLLIN, 0};
        if (poll(&q, 1, 30000) <= 0) break;
        if (!pump_input(fd)) break;
    }
    close(fd);
    return 0;
}
