import { execFileSync } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { openHarness } from './support';

// ERGO's official code opens images with PIL's Image.open, which ignores the EXIF Orientation tag.
// A JPEG whose tag says "rotate 90° clockwise" (6), "rotate 180°" (3) or "transpose" (5) must reach
// the model as the same stored grid PIL reads, not rotated as Chromium shows such photos.

/** A 48x32 JPEG of an asymmetric pattern tagged with `orientation`, and PIL's RGB pixels of it (hex). */
function rotatedJpeg(orientation: number): { jpeg: string; width: number; height: number; rgb: string } {
  const script = `
import base64, io, json, sys
from PIL import Image
img = Image.new('RGB', (48, 32))
img.putdata([((x * 5) % 256, (y * 7) % 256, 255 if x < 12 and y < 8 else 40) for y in range(32) for x in range(48)])
exif = Image.Exif()
exif[0x0112] = int(sys.argv[1])
buf = io.BytesIO()
img.save(buf, 'JPEG', quality=95, subsampling=0, exif=exif.tobytes())
opened = Image.open(io.BytesIO(buf.getvalue()))
assert opened.getexif()[0x0112] == int(sys.argv[1])
rgb = opened.convert('RGB')
print(json.dumps({'jpeg': base64.b64encode(buf.getvalue()).decode(), 'width': rgb.width, 'height': rgb.height, 'rgb': rgb.tobytes().hex()}))
`;
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, String(orientation)], { encoding: 'utf8' }));
}

for (const orientation of [6, 3, 5]) {
  test(`a JPEG tagged orientation ${orientation} decodes to PIL's stored grid`, async ({ page }) => {
    const pil = rotatedJpeg(orientation);
    expect([pil.width, pil.height]).toEqual([48, 32]);
    await openHarness(page);
    const seen = await page.evaluate(async (b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const image = await window.harness.decodeImage(new Blob([bytes], { type: 'image/jpeg' }), 'rotated.jpg');
      const rgb: number[] = [];
      for (let i = 0; i < image.data.length; i += 4) rgb.push(image.data[i]!, image.data[i + 1]!, image.data[i + 2]!);
      return { width: image.width, height: image.height, rgb };
    }, pil.jpeg);
    expect([seen.width, seen.height]).toEqual([pil.width, pil.height]);
    const expected = Buffer.from(pil.rgb, 'hex');
    const maxDiff = seen.rgb.reduce((m, v, i) => Math.max(m, Math.abs(v - expected[i]!)), 0);
    // Both decoders are libjpeg-turbo on a 4:4:4 JPEG; rotated pixels would differ by up to 255
    expect(maxDiff).toBeLessThanOrEqual(1);
  });
}
