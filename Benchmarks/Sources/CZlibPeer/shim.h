#ifndef CZLIBPEER_SHIM_H
#define CZLIBPEER_SHIM_H

// The system zlib for the plain round-trip peer; the init macros wrapped as functions.
#define ZLIB_CONST
#include <zlib.h>

static inline int CZlibPeer_deflateInit2(z_streamp stream, int level, int windowBits, int memLevel) {
    return deflateInit2(stream, level, Z_DEFLATED, windowBits, memLevel, Z_DEFAULT_STRATEGY);
}

static inline int CZlibPeer_inflateInit2(z_streamp stream, int windowBits) {
    return inflateInit2(stream, windowBits);
}

#endif
