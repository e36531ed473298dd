#ifndef LATCHKEY_CLINUX_H
#define LATCHKEY_CLINUX_H
// Linux-only system calls that Swift's Glibc module does not export: epoll, eventfd, accept4.
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

int latchkey_accept4(int fd, struct sockaddr *address, socklen_t *length, int flags);

/// The number of CPUs this process may run on (its affinity mask), or -1.
int latchkey_available_cpus(void);
#endif
