#define _GNU_SOURCE
#include <sys/socket.h>
#include "CLinux.h"

// accept4 is declared only under _GNU_SOURCE, which cannot be switched on from Swift.
int latchkey_accept4(int fd, struct sockaddr *address, socklen_t *length, int flags) {
    return accept4(fd, address, length, flags);
}
