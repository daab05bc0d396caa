#ifndef CAPTTY_CSPHINX_SHIM_H
#define CAPTTY_CSPHINX_SHIM_H
// PocketSphinx 5prealpha (Debian libpocketsphinx3 / libsphinxbase3).
//
// <pocketsphinx/pocketsphinx.h> includes its siblings with angle brackets (<ps_lattice.h>),
// which only resolve with -I/usr/include/pocketsphinx — a flag a SwiftPM system library cannot
// pass without pkg-config. So the few functions captty calls are declared here, copied from
// /usr/include/pocketsphinx/pocketsphinx.h and /usr/include/x86_64-linux-gnu/sphinxbase/*.h.
// All handles are opaque; captty never touches their fields.
//
// captty does not link these libraries: Sources/LocalSpeech/SphinxLibrary.swift loads
// libpocketsphinx.so.3 with dlopen when the offline engine starts (so cloud sessions do not map
// PocketSphinx and its BLAS/LAPACK/gfortran), with the signatures declared here.
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct ps_decoder_s ps_decoder_t;
typedef struct ps_seg_s ps_seg_t;
typedef struct cmd_ln_s cmd_ln_t;
typedef struct arg_s arg_t;
typedef struct logmath_s logmath_t;

// sphinxbase
void err_set_logfp(FILE *stream);
cmd_ln_t *cmd_ln_parse_r(cmd_ln_t *inout_cmdln, arg_t const *defn, int argc, char *argv[], int strict);
int cmd_ln_free_r(cmd_ln_t *cmdln);
double logmath_exp(logmath_t *lmath, int logb_p);

// pocketsphinx
arg_t const *ps_args(void);
ps_decoder_t *ps_init(cmd_ln_t *config);
int ps_free(ps_decoder_t *ps);
logmath_t *ps_get_logmath(ps_decoder_t *ps);
int ps_start_utt(ps_decoder_t *ps);
int ps_process_raw(ps_decoder_t *ps, int16_t const *data, size_t n_samples, int no_search, int full_utt);
int ps_end_utt(ps_decoder_t *ps);
int ps_get_n_frames(ps_decoder_t *ps);
char const *ps_get_hyp(ps_decoder_t *ps, int *out_best_score);
int ps_get_prob(ps_decoder_t *ps);
ps_seg_t *ps_seg_iter(ps_decoder_t *ps);
ps_seg_t *ps_seg_next(ps_seg_t *seg);
char const *ps_seg_word(ps_seg_t *seg);
void ps_seg_frames(ps_seg_t *seg, int *out_sf, int *out_ef);
int ps_seg_prob(ps_seg_t *seg, int *out_ascr, int *out_lscr, int *out_lback);
void ps_seg_free(ps_seg_t *seg);

#endif
