#ifndef CAPTTY_CPULSE_SHIM_H
#define CAPTTY_CPULSE_SHIM_H
#include <pulse/error.h>
#include <pulse/pulseaudio.h>
#include <pulse/thread-mainloop.h>

static inline int captty_pa_context_is_good(pa_context_state_t s) { return PA_CONTEXT_IS_GOOD(s); }
static inline int captty_pa_stream_is_good(pa_stream_state_t s) { return PA_STREAM_IS_GOOD(s); }
static inline uint32_t captty_pa_invalid_index(void) { return PA_INVALID_INDEX; }

// captty does not link libpulse: Sources/Audio/PulseLibrary.swift loads it with dlopen when
// PulseAudio is first used (so file and stdin sessions do not map libpulse and the ~20 libraries
// it pulls in). These typedefs give the exact signatures for the dlsym'd function pointers.
typedef __typeof__(pa_strerror) *captty_pa_strerror_fn;
typedef __typeof__(pa_mainloop_new) *captty_pa_mainloop_new_fn;
typedef __typeof__(pa_mainloop_free) *captty_pa_mainloop_free_fn;
typedef __typeof__(pa_mainloop_get_api) *captty_pa_mainloop_get_api_fn;
typedef __typeof__(pa_mainloop_prepare) *captty_pa_mainloop_prepare_fn;
typedef __typeof__(pa_mainloop_poll) *captty_pa_mainloop_poll_fn;
typedef __typeof__(pa_mainloop_dispatch) *captty_pa_mainloop_dispatch_fn;
typedef __typeof__(pa_context_new) *captty_pa_context_new_fn;
typedef __typeof__(pa_context_unref) *captty_pa_context_unref_fn;
typedef __typeof__(pa_context_set_state_callback) *captty_pa_context_set_state_callback_fn;
typedef __typeof__(pa_context_get_state) *captty_pa_context_get_state_fn;
typedef __typeof__(pa_context_connect) *captty_pa_context_connect_fn;
typedef __typeof__(pa_context_disconnect) *captty_pa_context_disconnect_fn;
typedef __typeof__(pa_context_errno) *captty_pa_context_errno_fn;
typedef __typeof__(pa_context_get_server_info) *captty_pa_context_get_server_info_fn;
typedef __typeof__(pa_context_get_source_info_list) *captty_pa_context_get_source_info_list_fn;
typedef __typeof__(pa_operation_unref) *captty_pa_operation_unref_fn;
typedef __typeof__(pa_sample_spec_snprint) *captty_pa_sample_spec_snprint_fn;
typedef __typeof__(pa_mainloop_wakeup) *captty_pa_mainloop_wakeup_fn;
typedef __typeof__(pa_stream_new) *captty_pa_stream_new_fn;
typedef __typeof__(pa_stream_connect_record) *captty_pa_stream_connect_record_fn;
typedef __typeof__(pa_stream_get_state) *captty_pa_stream_get_state_fn;
typedef __typeof__(pa_stream_peek) *captty_pa_stream_peek_fn;
typedef __typeof__(pa_stream_drop) *captty_pa_stream_drop_fn;
typedef __typeof__(pa_stream_is_suspended) *captty_pa_stream_is_suspended_fn;
typedef __typeof__(pa_stream_disconnect) *captty_pa_stream_disconnect_fn;
typedef __typeof__(pa_stream_unref) *captty_pa_stream_unref_fn;
typedef __typeof__(pa_stream_get_device_name) *captty_pa_stream_get_device_name_fn;
typedef __typeof__(pa_context_subscribe) *captty_pa_context_subscribe_fn;
typedef __typeof__(pa_context_set_subscribe_callback) *captty_pa_context_set_subscribe_callback_fn;
typedef __typeof__(pa_context_get_source_info_by_name) *captty_pa_context_get_source_info_by_name_fn;
#endif
