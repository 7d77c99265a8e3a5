/*
 * -daemonize and -pidfile.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib.h>

#include "qemu/error-report.h"
#include "sysemu/os-posix.h"

static bool daemonized;
static int daemon_pipe = -1;
static char *pidfile_path;

bool is_daemonized(void)
{
    return daemonized;
}

void os_daemonize(void)
{
    int fds[2];
    pid_t pid;

    if (pipe(fds) < 0) {
        error_report("cannot create pipe: %s", strerror(errno));
        exit(1);
    }
    pid = fork();
    if (pid < 0) {
        error_report("cannot fork: %s", strerror(errno));
        exit(1);
    }
    if (pid > 0) {
        char status;
        ssize_t n;

        close(fds[1]);
        do {
            n = read(fds[0], &status, 1);
        } while (n < 0 && errno == EINTR);
        /* No byte: the child failed and printed why. */
        _exit(n == 1 && status == 0 ? 0 : 1);
    }
    close(fds[0]);
    daemon_pipe = fds[1];
    daemonized = true;
    setsid();
}

void os_setup_post(void)
{
    char ok = 0;
    int fd;

    if (!daemonized) {
        return;
    }
    fd = open("/dev/null", O_RDWR);
    if (fd >= 0) {
        dup2(fd, STDIN_FILENO);
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        if (fd > STDERR_FILENO) {
            close(fd);
        }
    }
    if (write(daemon_pipe, &ok, 1) != 1) {
        /* the parent is gone; nothing to tell */
    }
    close(daemon_pipe);
    daemon_pipe = -1;
}

static void pidfile_remove(void)
{
    if (pidfile_path) {
        unlink(pidfile_path);
    }
}

bool qemu_write_pidfile(const char *path, Error **errp)
{
    g_autofree char *text = NULL;
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

    if (fd < 0) {
        error_setg_errno(errp, errno, "Cannot open pid file");
        return false;
    }
    /* Held until exit: a second instance with the same file fails here. */
    if (lockf(fd, F_TLOCK, 0) < 0) {
        error_setg_errno(errp, errno, "Cannot lock pid file");
        close(fd);
        return false;
    }
    if (ftruncate(fd, 0) < 0) {
        error_setg_errno(errp, errno, "Failed to truncate pid file");
        close(fd);
        return false;
    }
    text = g_strdup_printf("%d\n", getpid());
    if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
        error_setg(errp, "Failed to write pid file");
        close(fd);
        return false;
    }
    pidfile_path = realpath(path, NULL);
    atexit(pidfile_remove);
    return true;
}
