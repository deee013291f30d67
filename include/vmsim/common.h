/* What every public header shares: the export marker and C++ linkage.
 * Only declarations marked VMSIM_API are exported from libvmsim; the
 * library is built with -fvisibility=hidden, so nothing else leaks into a
 * user's link namespace. */
#ifndef VMSIM_COMMON_H
#define VMSIM_COMMON_H

#if defined(__GNUC__) || defined(__clang__)
#define VMSIM_API __attribute__((visibility("default")))
#else
#define VMSIM_API
#endif

#ifdef __cplusplus
#define VMSIM_BEGIN_DECLS extern "C" {
#define VMSIM_END_DECLS }
#else
#define VMSIM_BEGIN_DECLS
#define VMSIM_END_DECLS
#endif

#endif /* VMSIM_COMMON_H */
