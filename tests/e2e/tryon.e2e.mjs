// End-to-end test of `neuroshop serve` in Debian's headless Chromium (playwright-core, no bundled
// browser): on the try-on page it uploads the sample room, adds the catalogue's sofa, drags it to a
// spot, sets its height, renders, downloads the result and compares it with what `neuroshop tryon`
// writes for the same placement; then it clicks the beanbag in front of the sofa to keep it in
// front, renders again and compares with `tryon --in-front`; then it runs the colorize and
// stylize pages once each.
// Run by scripts/e2e.sh, which finds the binary and the browser:
//   NEUROSHOP_BINARY=build/neuroshop [CHROMIUM=/usr/bin/chromium] node tests/e2e/tryon.e2e.mjs
// Exit status 0 when every check passes, 1 otherwise.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const binary = path.resolve(root, process.env.NEUROSHOP_BINARY || 'build/neuroshop');
const browserPath = process.env.CHROMIUM || '/usr/bin/chromium';
const room = path.join(root, 'samples', 'tryon', 'wine_room.jpg');
const sofa = 'sofa-beige';  // a catalogue item
const heightCm = 90;
const horizon = 300;  // the room's eye level, given (the estimate from its few lines is far too high)
const target = { fx: 0.42, fy: 0.8 };  // where the sofa is dragged, as fractions of the room
const beanbag = { fx: 0.35, fy: 0.86 };  // a point on the beanbag standing in front of that spot
const work = mkdtempSync(path.join(tmpdir(), 'neuroshop-e2e-'));

let failures = 0;
function check(ok, what, detail = '') {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}${detail ? `: ${detail}` : ''}`);
  if (!ok) failures++;
}

// Starts the server on a free port; resolves to { process, url } once it printed its address.
function startServer() {
  return new Promise((resolve, reject) => {
    const server = spawn(binary, ['serve', '--port', '0'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    server.stderr.on('data', (chunk) => { process.stderr.write(`[serve] ${chunk}`); });
    server.stdout.on('data', (chunk) => {
      out += chunk;
      const match = out.match(/http:\/\/[^\s]+\//);
      if (match) resolve({ server, url: match[0] });
    });
    server.on('exit', (code) => reject(new Error(`neuroshop serve exited with ${code} before printing its address`)));
    setTimeout(() => reject(new Error('neuroshop serve printed no address within 30 s')), 30000);
  });
}

// Decodes two PNG files in the page and compares their pixels: { width, height, maxDiff, meanDiff }.
async function comparePixels(page, a, b) {
  return page.evaluate(async ([first, second]) => {
    const decode = async (base64) => {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }),
                                             { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const context = canvas.getContext('2d');
      context.drawImage(bitmap, 0, 0);
      return context.getImageData(0, 0, bitmap.width, bitmap.height);
    };
    const [x, y] = [await decode(first), await decode(second)];
    if (x.width !== y.width || x.height !== y.height) return { width: -1, height: -1, maxDiff: 255, meanDiff: 255 };
    let max = 0;
    let sum = 0;
    for (let i = 0; i < x.data.length; i++) {
      const d = Math.abs(x.data[i] - y.data[i]);
      max = Math.max(max, d);
      sum += d;
    }
    return { width: x.width, height: x.height, maxDiff: max, meanDiff: sum / x.data.length };
  }, [readFileSync(a).toString('base64'), readFileSync(b).toString('base64')]);
}

async function tryonPage(page, url) {
  await page.goto(`${url}tryon.html`);
  await page.setInputFiles('#room-file', room);
  await page.waitForFunction(() => {
    const image = document.querySelector('#stage-image');
    return !document.querySelector('#stage').hidden && image.complete && image.naturalWidth > 0;
  });
  await page.locator('summary', { hasText: 'Camera' }).click();
  await page.fill('#horizon', String(horizon));
  await page.click('button.sample-item[data-catalogue="sofa-beige"]');
  const ghost = page.locator('.ghost').first();
  await ghost.waitFor({ state: 'visible' });

  // Drag the sofa by its picture so that its foot point (the middle of its bottom edge) lands on the target.
  const stageBox = await page.locator('#stage-image').boundingBox();
  const box = await ghost.boundingBox();
  const foot = { x: box.x + box.width / 2, y: box.y + box.height };
  const goal = { x: stageBox.x + stageBox.width * target.fx, y: stageBox.y + stageBox.height * target.fy };
  const grab = { x: foot.x, y: foot.y - Math.min(20, box.height / 3) };
  await page.mouse.move(grab.x, grab.y);
  await page.mouse.down();
  await page.mouse.move(grab.x + (goal.x - foot.x) / 2, grab.y + (goal.y - foot.y) / 2, { steps: 5 });
  await page.mouse.move(grab.x + goal.x - foot.x, grab.y + goal.y - foot.y, { steps: 5 });
  await page.mouse.up();

  await page.fill('#item-size', String(heightCm));
  await page.click('#render');
  await page.waitForFunction((height) => {
    const link = document.querySelector('#download');
    if (link.hidden || !link.dataset.scene || document.querySelector('#stage').dataset.state !== 'rendered') return false;
    return JSON.parse(link.dataset.scene).items[0].height_cm === height;
  }, heightCm, { timeout: 180000 });
  const status = await page.textContent('#status');
  check(!(await page.getAttribute('#status', 'data-kind')), 'try-on page rendered without error', status.split('\n')[0]);

  const scene = JSON.parse(await page.getAttribute('#download', 'data-scene'));
  const [x, y] = scene.items[0].at;
  const size = await page.evaluate(() => [document.querySelector('#stage-image').naturalWidth,
                                          document.querySelector('#stage-image').naturalHeight]);
  const expected = [size[0] * target.fx, size[1] * target.fy];
  check(Math.abs(x - expected[0]) <= 3 && Math.abs(y - expected[1]) <= 3, 'the drag placed the sofa where it was dropped',
        `at (${x}, ${y}), dropped at (${expected[0].toFixed(1)}, ${expected[1].toFixed(1)})`);
  check(scene.items.length === 1 && scene.items[0].catalogue === sofa && !scene.items[0].flip && scene.horizon === horizon,
        'the render request names the catalogue sofa', JSON.stringify(scene));

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
  const fromPage = path.join(work, 'page-tryon.png');
  await download.saveAs(fromPage);
  check(download.suggestedFilename() === 'wine_room-tryon.png', 'download is named after the room', download.suggestedFilename());

  const cliArgs = ['--quiet', 'tryon', room, '--item', sofa, '--at', `${x},${y}`, '--height-cm', String(heightCm),
                   '--camera-height-cm', String(scene.camera_height_cm), '--horizon', String(scene.horizon)];
  await compareWithCli(page, fromPage, cliArgs, 'cli-tryon.png', size, 'downloaded image equals `neuroshop tryon` for the same placement');

  // Keep the beanbag in front: switch picking on, click it, and the sofa behind it is hidden there.
  await page.click('#in-front-mode');
  await page.locator('#stage-image').scrollIntoViewIfNeeded();  // the button may lie further down the panel
  const stageNow = await page.locator('#stage-image').boundingBox();
  const click = { x: stageNow.x + stageNow.width * beanbag.fx, y: stageNow.y + stageNow.height * beanbag.fy };
  await page.mouse.click(click.x, click.y);
  await page.waitForFunction(() => {
    const link = document.querySelector('#download');
    if (link.hidden || !link.dataset.scene || document.querySelector('#stage').dataset.state !== 'rendered') return false;
    return (JSON.parse(link.dataset.scene).in_front || []).length === 1;
  }, null, { timeout: 180000 }).catch(async (e) => {
    throw new Error(`${e.message}; page status: ${await page.textContent('#status')}; ` +
                    `state ${await page.getAttribute('#stage', 'data-state')}`);
  });
  const inFrontScene = JSON.parse(await page.getAttribute('#download', 'data-scene'));
  const [px, py] = inFrontScene.in_front[0];
  check(Math.abs(px - size[0] * beanbag.fx) <= 3 && Math.abs(py - size[1] * beanbag.fy) <= 3, 'the click marked the beanbag',
        `at (${px}, ${py})`);
  check(await page.locator('.in-front-box').count() === 1, 'the page outlines the object found there');
  const inFrontStatus = await page.textContent('#status');
  check(inFrontStatus.includes('behind a room object'), 'the status says the sofa is partly behind it', inFrontStatus);
  const [again] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
  const fromPageInFront = path.join(work, 'page-tryon-in-front.png');
  await again.saveAs(fromPageInFront);
  await compareWithCli(page, fromPageInFront, [...cliArgs, '--in-front', `${px},${py}`], 'cli-tryon-in-front.png', size,
                       'with the beanbag in front it equals `neuroshop tryon --in-front`');
  check(!readFileSync(fromPageInFront).equals(readFileSync(fromPage)), 'keeping the beanbag in front changed the picture');
}

// Runs `neuroshop ARGS -o FILE` and checks that the page's download has the room's size and the same pixels.
async function compareWithCli(page, fromPage, args, name, size, what) {
  const fromCli = path.join(work, name);
  execFileSync(binary, [...args, '-o', fromCli], { cwd: root, stdio: 'ignore' });
  const same = readFileSync(fromPage).equals(readFileSync(fromCli));
  const pixels = await comparePixels(page, fromPage, fromCli);
  check(pixels.width === size[0] && pixels.height === size[1], 'downloaded image has the room\'s size', `${pixels.width}x${pixels.height}`);
  check(same || (pixels.maxDiff <= 2 && pixels.meanDiff <= 0.01), what,
        same ? 'byte-identical PNG' : `max difference ${pixels.maxDiff}, mean ${pixels.meanDiff.toFixed(4)}`);
}

// One photo in, one picture out: upload, run, wait for the download link, check it is a PNG.
async function singleImagePage(page, url, name, photo, setup) {
  await page.goto(`${url}${name}.html`);
  await page.setInputFiles(name === 'colorize' ? '#image-file' : '#content-file', photo);
  if (setup) await setup(page);
  await page.click('#run');
  await page.waitForFunction(() => !document.querySelector('#download').hidden ||
                                   document.querySelector('#status').dataset.kind === 'error', null, { timeout: 180000 });
  const status = await page.textContent('#status');
  const error = (await page.getAttribute('#status', 'data-kind')) === 'error';
  if (error && /not installed|no shipped style/.test(status)) {
    console.log(`skip ${name} page: ${status}`);
    return;
  }
  check(!error, `${name} page ran`, status);
  if (error) return;
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
  const file = path.join(work, `page-${name}.png`);
  await download.saveAs(file);
  check(readFileSync(file).subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
        `${name} download is a PNG`, download.suggestedFilename());
}

async function main() {
  const { server, url } = await startServer();
  console.log(`server: ${url}`);
  const context = await chromium.launchPersistentContext(path.join(work, 'profile'), {
    executablePath: browserPath,
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1280, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = context.pages()[0] || await context.newPage();
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(m.text()); });
    await tryonPage(page, url);
    const photo = path.join(root, 'samples', 'colorize', 'Path.jpg');
    await singleImagePage(page, url, 'colorize', photo);
    await singleImagePage(page, url, 'stylize', photo, async (p) => {
      await p.waitForFunction(() => document.querySelector('#style-select').options.length > 0);
    });
    check(pageErrors.length === 0, 'no script errors on the pages', pageErrors.join(' | '));
  } finally {
    await context.close();
    const exited = new Promise((resolve) => server.on('exit', (code, signal) => resolve({ code, signal })));
    server.kill('SIGTERM');
    const { code } = await exited;
    check(code === 0, 'the server stops cleanly on SIGTERM', `exit code ${code}`);
    rmSync(work, { recursive: true, force: true });
  }
}

main().then(() => {
  console.log(failures ? `${failures} check(s) failed` : 'all end-to-end checks passed');
  process.exit(failures ? 1 : 0);
}, (e) => {
  console.error(`e2e error: ${e.stack || e}`);
  rmSync(work, { recursive: true, force: true });
  process.exit(1);
});
