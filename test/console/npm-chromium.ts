import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { brotliDecompress } from 'node:zlib';
import { promisify } from 'node:util';

/**
 * The Chromium that `npm install` brings (the `@sparticuz/chromium` devDependency): a
 * chrome-headless-shell build compressed inside the npm tarball, so it installs from the
 * registry alone, with no download of its own. Its binary needs only glibc and, from other
 * libraries, NSS, NSPR and expat; the package ships those too (built for Amazon Linux 2023,
 * glibc 2.34), so with them on LD_LIBRARY_PATH a bare Debian 12 runs it without apt.
 *
 * The package's own `executablePath()` inflates into the shared /tmp (a half-written file
 * left by an interrupted run is taken as the browser the next time) and unpacks the
 * libraries only on Lambda; this unpacks all of it once into node_modules/.cache, into a
 * fresh folder renamed into place when complete, so a concurrent or interrupted run never
 * sees a partial browser.
 */
export interface NpmChromium {
  executablePath: string;
  /** Environment for the browser process: its libraries and fonts. */
  env: Record<string, string>;
}

const inflate = promisify(brotliDecompress);

function packageDir(): string {
  // the package's `exports` hide package.json; its main file sits at build/cjs/index.cjs
  let dir = path.dirname(require.resolve('@sparticuz/chromium'));
  while (!existsSync(path.join(dir, 'package.json')) || !existsSync(path.join(dir, 'bin'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('@sparticuz/chromium: package folder not found');
    dir = parent;
  }
  return dir;
}

/** Regular files and folders of a ustar archive (all these archives hold); anything else is refused. */
async function untar(archive: Buffer, into: string): Promise<void> {
  let at = 0;
  while (at + 512 <= archive.length) {
    const header = archive.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break; // end of archive
    const text = (from: number, length: number) => header.subarray(from, from + length).toString('utf8').replace(/\0.*$/s, '');
    const name = [text(345, 155), text(0, 100)].filter(Boolean).join('/');
    const size = parseInt(text(124, 12).trim() || '0', 8);
    const mode = parseInt(text(100, 8).trim() || '644', 8);
    const type = text(156, 1) || '0';
    const body = archive.subarray(at + 512, at + 512 + size);
    at += 512 + Math.ceil(size / 512) * 512;
    if (type === 'x' || type === 'g') continue; // pax attributes: names here are short
    const target = path.resolve(into, name);
    if (!target.startsWith(into + path.sep) && target !== into) throw new Error(`archive entry outside its folder: ${name}`);
    if (type === '5') await mkdir(target, { recursive: true });
    else if (type === '0') {
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, body, { mode: mode & 0o755 });
    } else throw new Error(`archive entry ${name}: type ${type} is not handled`);
  }
}

/** Unpacks the npm package's Chromium (first call per version only) and says how to start it. */
export async function npmChromium(): Promise<NpmChromium> {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`no Chromium: @sparticuz/chromium holds a Linux x86-64 build only (this is ${process.platform}-${process.arch}); install Chromium and set CHROMIUM_PATH`);
  }
  const pkg = packageDir();
  const { version } = JSON.parse(readFileSync(path.join(pkg, 'package.json'), 'utf8')) as { version: string };
  const cache = path.resolve(__dirname, '..', '..', 'node_modules', '.cache', 'keyward-chromium');
  const dir = path.join(cache, version);
  const result: NpmChromium = {
    executablePath: path.join(dir, 'chromium'),
    env: {
      LD_LIBRARY_PATH: [path.join(dir, 'lib'), process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'),
      FONTCONFIG_FILE: path.join(dir, 'fonts.conf'),
    },
  };
  if (existsSync(dir)) return result;

  await mkdir(cache, { recursive: true });
  const work = await mkdtemp(path.join(cache, `.${version}-`));
  try {
    const bin = path.join(pkg, 'bin');
    await writeFile(path.join(work, 'chromium'), await inflate(await readFile(path.join(bin, 'chromium.br'))), { mode: 0o755 });
    await untar(await inflate(await readFile(path.join(bin, 'al2023.tar.br'))), work); // lib/: NSS, NSPR, expat
    await untar(await inflate(await readFile(path.join(bin, 'fonts.tar.br'))), work); // fonts/: Open Sans
    // the package's fonts.conf names Lambda's folders; this one names the unpacked fonts and the system's
    const fontsConf = ['<?xml version="1.0"?>', '<!DOCTYPE fontconfig SYSTEM "fonts.dtd">', '<fontconfig>',
      `  <dir>${path.join(dir, 'fonts')}</dir>`, '  <dir>/usr/share/fonts</dir>',
      `  <cachedir>${path.join(dir, 'fonts-cache')}</cachedir>`, '</fontconfig>', ''].join('\n');
    await writeFile(path.join(work, 'fonts.conf'), fontsConf);
    await rename(work, dir).catch(async (err: NodeJS.ErrnoException) => {
      // another run finished first: its copy is as good
      if (!existsSync(dir)) throw err;
      await rm(work, { recursive: true, force: true });
    });
  } catch (err) {
    await rm(work, { recursive: true, force: true });
    throw err;
  }
  return result;
}
