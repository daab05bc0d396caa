#ifndef CAPTTY_COPENSSL_SHIM_H
#define CAPTTY_COPENSSL_SHIM_H
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <openssl/sha.h>
#include <openssl/rand.h>
#include <openssl/evp.h>
#include <openssl/crypto.h>

// Macros Swift cannot import, wrapped as inline functions.
static inline long captty_SSL_set_tlsext_host_name(SSL *s, const char *name) {
    return SSL_set_tlsext_host_name(s, name);
}
static inline int captty_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_min_proto_version(ctx, version);
}
static inline int captty_TLS1_2_VERSION(void) { return TLS1_2_VERSION; }
static inline long captty_SSL_CTX_set_mode(SSL_CTX *ctx, long mode) { return SSL_CTX_set_mode(ctx, mode); }
static inline long captty_SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER(void) { return SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER; }
static inline long captty_SSL_MODE_ENABLE_PARTIAL_WRITE(void) { return SSL_MODE_ENABLE_PARTIAL_WRITE; }
static inline int captty_SSL_ERROR_WANT_READ(void) { return SSL_ERROR_WANT_READ; }
static inline int captty_SSL_ERROR_WANT_WRITE(void) { return SSL_ERROR_WANT_WRITE; }
static inline int captty_SSL_ERROR_ZERO_RETURN(void) { return SSL_ERROR_ZERO_RETURN; }
static inline int captty_SSL_ERROR_SYSCALL(void) { return SSL_ERROR_SYSCALL; }
/* OpenSSL 3 reports a peer's EOF inside the handshake as SSL_ERROR_SSL with this reason. */
static inline int captty_ERR_is_unexpected_eof(unsigned long e) {
#ifdef SSL_R_UNEXPECTED_EOF_WHILE_READING
    return ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING;
#else
    return 0;
#endif
}
static inline int captty_X509_V_OK(void) { return X509_V_OK; }
/* A client has no certificate to present: when a server asks for one (mutual TLS), the session
   is marked (its app data) so that the failure that follows can say why, instead of "closed"
   or "nothing answered". Returns 0: no certificate. */
static inline int captty_client_cert_asked(SSL *ssl, X509 **x509, EVP_PKEY **pkey) {
    (void)x509; (void)pkey;
    SSL_set_app_data(ssl, (void *)1);
    return 0;
}
static inline void captty_SSL_CTX_note_client_cert_requests(SSL_CTX *ctx) {
    SSL_CTX_set_client_cert_cb(ctx, captty_client_cert_asked);
}
static inline int captty_SSL_client_cert_was_asked(const SSL *ssl) { return SSL_get_app_data(ssl) != NULL; }
/* OpenSSL set up without its atexit cleanup: OPENSSL_cleanup ran in exit() while a WebSocket
   I/O thread was still exiting, and both freed the thread's OpenSSL state (a double free, found
   under load; OpenSSL issue #6214, fixed the same way by curl). Must come before any other
   use of libcrypto to take effect. Returns 1 on success. */
static inline int captty_openssl_init_without_atexit(void) {
    return OPENSSL_init_ssl(OPENSSL_INIT_NO_ATEXIT | OPENSSL_INIT_LOAD_SSL_STRINGS | OPENSSL_INIT_LOAD_CRYPTO_STRINGS, NULL);
}
#endif
