#include "CTwistShims.h"

static _Thread_local void *current_reactor = 0;

void *twist_current_reactor(void) { return current_reactor; }

void twist_set_current_reactor(void *reactor) { current_reactor = reactor; }
