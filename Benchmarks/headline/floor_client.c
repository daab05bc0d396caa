// Headline-benchmark peer: the smallest Deepgram-protocol client we could write, in C. It is
// not a product: it shows the floor any client pays for the same stream on this machine (one
// wake-up and one send per chunk, one wake-up per result message, the kernel's loopback TCP path),
// so the CPU of captty and of the official SDKs can be read against it.
//
// Usage: floor_client HOST PORT WAV SPEED [CHUNK_MS]   (16 kHz mono s16 WAV; SPEED 0: as fast as
// possible; CHUNK_MS default 50)
// Key from DEEPGRAM_API_KEY. Sends CHUNK_MS binary frames (masked, RFC 6455), CloseStream, then reads
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
    if (n + 8 > sizeof out) { fprintf(stderr, "frame too large\n"); exit(2); }
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

// The value after `"key"` and its colon (spaces allowed around it), or NULL.
static const char *value_of(const char *json, const char *key) {
    const char *k = strstr(json, key);
    if (!k) return NULL;
    k += strlen(key);
    while (*k == ' ') k++;
    if (*k != ':') return NULL;
    k++;
    while (*k == ' ') k++;
    return k;
}

// Prints the transcript of a final Results message (compact JSON or json.dumps spacing).
static void on_text(const char *msg, size_t n) {
    char tmp[65536];
    if (n >= sizeof tmp) return;
    memcpy(tmp, msg, n); tmp[n] = 0;
    const char *type = value_of(tmp, "\"type\"");
    const char *fin = value_of(tmp, "\"is_final\"");
    if (!type || strncmp(type, "\"Results\"", 9) != 0 || !fin || strncmp(fin, "true", 4) != 0) return;
    char *t = (char *)value_of(tmp, "\"transcript\"");
    if (!t || *t != '"') return;
    t++;
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
    if (argc != 5 && argc != 6) { fprintf(stderr, "usage: floor_client HOST PORT WAV SPEED [CHUNK_MS]\n"); return 2; }
    const long chunk_ms = argc == 6 ? atol(argv[5]) : 50;
    if (chunk_ms < 1 || chunk_ms > 1000) { fprintf(stderr, "CHUNK_MS must be 1..1000\n"); return 2; }
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
    const long chunk = chunk_ms * 32;   // 16 kHz mono s16: 32 bytes per ms
    for (long off = 0, i = 1; off < size; off += chunk, i++) {
        send_frame(fd, 2, audio + off, (size_t)(size - off < chunk ? size - off : chunk));
        pump_input(fd);
        if (speed > 0) {
            // Until the next chunk is due, wait on the socket: a result is printed when it
            // arrives (one wake-up per message), as a caption program must.
            long long due = (long long)t0.tv_sec * 1000000000LL + t0.tv_nsec + (long long)(i * chunk_ms * 1e6 / speed);
            for (;;) {
                struct timespec now;
                clock_gettime(CLOCK_MONOTONIC, &now);
                long long left = due - ((long long)now.tv_sec * 1000000000LL + now.tv_nsec);
                if (left <= 0) break;
                struct pollfd q = {fd, POLLIN, 0};
                if (poll(&q, 1, (int)((left + 999999) / 1000000)) > 0 && !pump_input(fd)) { close(fd); return 0; }
            }
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
