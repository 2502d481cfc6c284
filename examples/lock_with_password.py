"""Saves a workbook with a password to open as encrypted.ods and encrypted.xls in OUT_DIR.

Usage: /usr/bin/python3 examples/lock_with_password.py IN.xlsx OUT_DIR

Needs LibreOffice's Python bridge (Debian: python3-uno, beside libreoffice-calc). The
password is "secret". LibreOffice's command line cannot set a password, so this drives
it through UNO; msoffcrypto-tool makes the encrypted .xlsx (see fixtures/README.md).
"""
import os
import subprocess
import sys
import time

import uno
from com.sun.star.beans import PropertyValue

PIPE = "kpiroll_lock"


def prop(name, value):
    p = PropertyValue()
    p.Name = name
    p.Value = value
    return p


def main(src, out_dir):
    office = subprocess.Popen([
        "soffice", "--headless", "--invisible", "--norestore",
        "-env:UserInstallation=file:///tmp/kpiroll-lo-uno",
        f"--accept=pipe,name={PIPE};urp;",
    ])
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local)
    ctx = None
    for _ in range(120):
        try:
            ctx = resolver.resolve(f"uno:pipe,name={PIPE};urp;StarOffice.ComponentContext")
            break
        except Exception:
            time.sleep(0.5)
    if ctx is None:
        office.kill()
        sys.exit("LibreOffice did not start")
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    url = uno.systemPathToFileUrl(os.path.abspath(src))
    doc = desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True),))
    for ext, filter_name in [("ods", "calc8"), ("xls", "MS Excel 97")]:
        out = uno.systemPathToFileUrl(os.path.abspath(os.path.join(out_dir, "encrypted." + ext)))
        doc.storeToURL(out, (prop("FilterName", filter_name), prop("Password", "secret")))
    doc.close(True)
    try:
        desktop.terminate()
    except Exception:
        pass  # the bridge closes as LibreOffice quits
    office.wait(timeout=60)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
