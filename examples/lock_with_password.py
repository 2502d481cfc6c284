"""Saves a workbook with a password to open, as encrypted.ods and encrypted.xls in OUT_DIR.

Usage: /usr/bin/python3 examples/lock_with_password.py fixtures/ingest/return.xlsx fixtures/ingest/broken

Needs LibreOffice's Python bridge (Debian: python3-uno, with libreoffice-calc); the
password is "secret". msoffcrypto-tool makes the encrypted .xlsx; LibreOffice's command
line cannot set a password, so this drives it through UNO.
"""
import os
import subprocess
import sys
import time

import uno
from com.sun.star.beans import PropertyValue

def pv(n, v):
    p = PropertyValue(); p.Name = n; p.Value = v; return p

src, out_dir = sys.argv[1], sys.argv[2]
proc = subprocess.Popen(["soffice", "--headless", "--invisible", "--norestore",
    "-env:UserInstallation=file:///tmp/kpiroll-lo-uno", "--accept=pipe,name=kpirolllock;urp;"])
local = uno.getComponentContext()
resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
for _ in range(60):
    try:
        ctx = resolver.resolve("uno:pipe,name=kpirolllock;urp;StarOffice.ComponentContext"); break
    except Exception:
        time.sleep(0.5)
desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(os.path.abspath(src)), "_blank", 0, (pv("Hidden", True),))
for ext, flt in [("ods", "calc8"), ("xls", "MS Excel 97")]:
    out = os.path.abspath(os.path.join(out_dir, "encrypted." + ext))
    doc.storeToURL(uno.systemPathToFileUrl(out), (pv("FilterName", flt), pv("Password", "secret")))
doc.close(True)
try:
    desktop.terminate()
except Exception:
    pass
proc.wait(timeout=30)
