/* For `just windows-check` only: a file held open as Excel holds a workbook it has
 * open (others may read it, nobody may replace or delete it) while a command runs:
 * `hold-open.exe FILE PROGRAM ARGS…` opens FILE, runs PROGRAM with ARGS, waits for it,
 * closes FILE and exits with PROGRAM's status (3 when FILE cannot be opened). The
 * arguments are passed as they are, unquoted: none may hold a space. */
#include <process.h>
#include <stdio.h>
#include <wchar.h>
#include <windows.h>

int wmain(int argc, wchar_t **argv)
{
    if (argc < 3)
        return 3;
    HANDLE held = CreateFileW(argv[1], GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING,
                              FILE_ATTRIBUTE_NORMAL, NULL);
    if (held == INVALID_HANDLE_VALUE)
        return 3;
    intptr_t status = _wspawnv(_P_WAIT, argv[2], (const wchar_t *const *)&argv[2]);
    CloseHandle(held);
    return status < 0 ? 3 : (int)status;
}
