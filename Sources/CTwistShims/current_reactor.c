#include "CTwistShims.h"

_Thread_local void *twist_current_reactor_marker __attribute__((tls_model("initial-exec"))) = 0;

void twist_set_current_reactor(void *reactor) { twist_current_reactor_marker = reactor; }
