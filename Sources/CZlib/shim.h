#ifndef CZLIB_SHIM_H
#define CZLIB_SHIM_H

// Makes next_in a pointer to const, so Swift passes read-only input without casting.
#define ZLIB_CONST
#include <zlib.h>

// deflateInit2 and inflateInit2 are macros (they pass the library version and the size of
// z_stream), which Swift cannot call; these wrappers make them plain functions.

static inline int CZlib_deflateInit2(z_streamp stream, int level, int windowBits, int memLevel) {
    return deflateInit2(stream, level, Z_DEFLATED, windowBits, memLevel, Z_DEFAULT_STRATEGY);
}

static inline int CZlib_inflateInit2(z_streamp stream, int windowBits) {
    return inflateInit2(stream, windowBits);
}

#endif
