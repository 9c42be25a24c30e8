/*
 * bcryptprimitives.c: a stand-in for Windows' bcryptprimitives.dll, for the
 * throwaway Wine prefix of packaging/check-wine.sh only.
 *
 * Go 1.22+ programs read their random bytes from ProcessPrng in
 * bcryptprimitives.dll (loaded from System32 at start); Debian 12's Wine 8.0
 * has no such DLL, so every Go program dies before main. This DLL exports
 * ProcessPrng and fills the buffer from RtlGenRandom (advapi32's
 * SystemFunction036), which Wine has always had. It is built with mingw-w64
 * by the check itself into its temporary folder, copied into the test
 * prefix's system32 and nowhere else: it is never shipped, installed on a
 * real Windows (which has its own) or committed as a binary.
 */
#include <windows.h>

/* RtlGenRandom: exported by advapi32 as SystemFunction036. */
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

/* ProcessPrng fills data with size random bytes; it always succeeds on
 * Windows, and here returns FALSE only when RtlGenRandom fails. */
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T size)
{
    while (size > 0) {
        ULONG n = size > 0x10000000 ? 0x10000000 : (ULONG)size;
        if (!SystemFunction036(data, n))
            return FALSE;
        data += n;
        size -= n;
    }
    return TRUE;
}

BOOL WINAPI DllMain(HINSTANCE inst, DWORD reason, LPVOID reserved)
{
    (void)inst; (void)reason; (void)reserved;
    return TRUE;
}
