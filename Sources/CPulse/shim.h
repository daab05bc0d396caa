#ifndef CAPTTY_CPULSE_SHIM_H
#define CAPTTY_CPULSE_SHIM_H
#include <pulse/simple.h>
#include <pulse/error.h>
#include <pulse/pulseaudio.h>
#include <pulse/thread-mainloop.h>

static inline int captty_pa_context_is_good(pa_context_state_t s) { return PA_CONTEXT_IS_GOOD(s); }
static inline int captty_pa_stream_is_good(pa_stream_state_t s) { return PA_STREAM_IS_GOOD(s); }
static inline uint32_t captty_pa_invalid_index(void) { return PA_INVALID_INDEX; }
#endif
