#!/usr/bin/env python3
"""Writes the reference QR matrices QRCodeTests compares against, from two independent
encoders: `qrcodegen` (Nayuki; it picks the mask by the ISO/IEC 18004 penalty rules) and
`qrcode` (forced to that mask, since its own penalty rule 3 differs). Both must agree module
for module, or this script stops. Test tooling only:

    python3 -m venv /tmp/qr && /tmp/qr/bin/pip install qrcode qrcodegen
    /tmp/qr/bin/python Tests/SecurityTests/QRReference/generate.py
"""
import os
import qrcode
import qrcode.util
from qrcodegen import QrCode, QrSegment

HERE = os.path.dirname(os.path.abspath(__file__))

CASES = {
    "v1-single-letter": b"A",
    "v1-full": b"12345678901234",
    "v2-just-over": b"123456789012345",
    "short-url": b"https://example.org/",
    "binary-bytes": bytes(range(0, 256, 5)),
    "otpauth": b"otpauth://totp/Latchkey:ada%40example.org?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
               b"&issuer=Latchkey&algorithm=SHA1&digits=6&period=30",
    "v7-version-info": b"otpauth://totp/Latchkey:ada%40example.org?secret=JBSWY3DPEHPK3PXP"
                       b"&issuer=Latchkey&algorithm=SHA1&digits=6&period=30",
    "v9-provider-uri": b"otpauth://totp/Latchkey%20ID:grace.hopper%40example.org?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
                       b"&issuer=Latchkey%20ID&algorithm=SHA1&digits=6&period=30&image=x",
    "v10-long-uri": (b"otpauth://totp/Latchkey%20ID:a-rather-long-account-name-for-testing.purposes%40subdomain.example.org"
                     b"?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Latchkey%20ID&algorithm=SHA1&digits=6&period=30"),
}


def reference(data):
    symbol = QrCode.encode_segments([QrSegment.make_bytes(data)], QrCode.Ecc.MEDIUM, 1, 10, -1, False)
    rows = [[symbol.get_module(x, y) for x in range(symbol.get_size())] for y in range(symbol.get_size())]
    other = qrcode.QRCode(version=None, error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=1, border=0,
                          mask_pattern=symbol.get_mask())
    other.add_data(qrcode.util.QRData(data, mode=qrcode.util.MODE_8BIT_BYTE))
    other.make(fit=True)
    assert other.version == symbol.get_version(), (other.version, symbol.get_version())
    assert [[bool(m) for m in row] for row in other.get_matrix()] == rows, "the two encoders disagree"
    return symbol.get_version(), symbol.get_mask(), rows


for name, data in CASES.items():
    version, mask, rows = reference(data)
    with open(os.path.join(HERE, name + ".txt"), "w") as out:
        out.write(f"data-hex: {data.hex()}\nversion: {version}\nmask: {mask}\n")
        for row in rows:
            out.write("".join("1" if m else "0" for m in row) + "\n")
    print(name, len(data), "bytes: version", version, "mask", mask)
