#define _GNU_SOURCE
#include <sched.h>
#include <sys/socket.h>
#include "CLinux.h"

// accept4 is declared only under _GNU_SOURCE, which cannot be switched on from Swift.
int latchkey_accept4(int fd, struct sockaddr *address, socklen_t *length, int flags) {
    return accept4(fd, address, length, flags);
}

// CPU_COUNT is a macro over cpu_set_t, which Swift cannot expand.
int latchkey_available_cpus(void) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) != 0) return -1;
    return CPU_COUNT(&set);
}
