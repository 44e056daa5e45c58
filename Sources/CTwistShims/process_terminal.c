/* A child's pseudo-terminal settings: the few termios flags Twist exposes, read and changed in
 * place (every other flag is left as it is). */
#include "twist_process.h"

#include <errno.h>
#include <termios.h>

int twist_get_terminal_settings(int terminal, twist_terminal_settings *settings) {
    struct termios current;
    if (tcgetattr(terminal, &current) != 0) return errno;
    settings->echo = (current.c_lflag & ECHO) != 0;
    settings->canonical = (current.c_lflag & ICANON) != 0;
    settings->mapNewline = (current.c_oflag & OPOST) != 0 && (current.c_oflag & ONLCR) != 0;
    return 0;
}

int twist_set_terminal_settings(int terminal, twist_terminal_settings settings) {
    struct termios changed;
    if (tcgetattr(terminal, &changed) != 0) return errno;
    if (settings.echo) {
        changed.c_lflag |= ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE;
    } else {
        changed.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHONL | ECHOCTL | ECHOKE);
    }
    if (settings.canonical) {
        /* The kernel's defaults for a cooked terminal. */
        changed.c_lflag |= ICANON | ISIG | IEXTEN;
        changed.c_iflag |= ICRNL | IXON;
    } else {
        /* Raw input (as cfmakeraw has it, for input): every byte as it comes, one at a time;
         * no line editing, no signal characters, no CR translation, no flow control. */
        changed.c_lflag &= ~(tcflag_t)(ICANON | ISIG | IEXTEN);
        changed.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
        changed.c_cc[VMIN] = 1;
        changed.c_cc[VTIME] = 0;
    }
    if (settings.mapNewline) {
        changed.c_oflag |= OPOST | ONLCR;
    } else {
        changed.c_oflag &= ~(tcflag_t)ONLCR;
    }
    return tcsetattr(terminal, TCSANOW, &changed) == 0 ? 0 : errno;
}
