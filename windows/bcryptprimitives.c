/* For trying kpiroll.exe under wine only (`just windows-check`): wine 8 has no
 * bcryptprimitives.dll, whose ProcessPrng Rust's standard library takes its random
 * numbers from (Windows 10 and later have the real one). This one asks advapi32's
 * RtlGenRandom (SystemFunction036), which wine has. Built with mingw into the wine
 * prefix's system32 by windows/check.sh; never shipped with kpiroll.exe. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x40000000 ? 0x40000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
