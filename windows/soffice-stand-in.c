/* For `just windows-check` only: a stand-in for LibreOffice's soffice.exe, put where
 * Windows installs LibreOffice (C:\Program Files\LibreOffice\program) in the wine
 * prefix, to see that `kpiroll handout --pdf` finds it there and passes it the
 * handout's Japanese path. Like `soffice --headless --convert-to pdf --outdir DIR FILE`
 * it writes DIR\<FILE's name>.pdf: here a one-line marker, not a PDF of the book. */
#include <stdio.h>
#include <wchar.h>

int wmain(int argc, wchar_t **argv)
{
    const wchar_t *outdir = L".", *input = NULL;
    for (int i = 1; i < argc; i++) {
        if (wcscmp(argv[i], L"--outdir") == 0 && i + 1 < argc)
            outdir = argv[++i];
        else if (argv[i][0] != L'-' && wcscmp(argv[i], L"pdf") != 0)
            input = argv[i];
    }
    if (input == NULL)
        return 2;
    const wchar_t *name = input;
    for (const wchar_t *c = input; *c; c++)
        if (*c == L'\\' || *c == L'/')
            name = c + 1;
    wchar_t pdf[4096];
    swprintf(pdf, 4096, L"%ls\\%ls", outdir, name);
    wchar_t *dot = wcsrchr(pdf, L'.');
    if (dot == NULL || wcschr(dot, L'\\'))
        return 2;
    wcscpy(dot, L".pdf");
    FILE *out = _wfopen(pdf, L"wb");
    if (out == NULL)
        return 1;
    fputs("%PDF-1.4 stand-in for soffice (windows-check)\n", out);
    fclose(out);
    return 0;
}
