// libssl and the certificate-making parts of libcrypto, for the test SMTP sink's TLS (the
// product never links libssl: libcurl brings its own TLS).
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

// Macros Swift cannot import: MBSTRING_ASC is an expression, SSL_CTX_set_min_proto_version a
// call through SSL_CTX_ctrl.
static const int latchkey_test_mbstring_asc = MBSTRING_ASC;
static inline int latchkey_test_ssl_ctx_set_min_tls12(SSL_CTX *ctx) { return (int)SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION); }
