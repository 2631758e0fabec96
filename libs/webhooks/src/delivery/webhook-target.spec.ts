import { RefusedTargetError, checkTarget, guardedLookup, isPublicAddress, webhookUrlProblem } from './webhook-target';

describe('webhook targets', () => {
  it.each([
    ['127.0.0.1', false],
    ['10.0.0.1', false],
    ['172.31.255.255', false],
    ['192.168.0.10', false],
    ['169.254.169.254', false],
    ['100.64.0.1', false],
    ['0.0.0.0', false],
    ['255.255.255.255', false],
    ['224.0.0.1', false],
    ['::1', false],
    ['::', false],
    ['fe80::1', false],
    ['fc00::1', false],
    ['::ffff:10.0.0.1', false],
    ['::ffff:8.8.8.8', true],
    ['8.8.8.8', true],
    ['1.1.1.1', true],
    ['2606:4700:4700::1111', true],
    ['not an address', false],
  ])('%s is public: %s', (address, expected) => {
    expect(isPublicAddress(address)).toBe(expected);
  });

  it('takes http(s) URLs without credentials or fragment, naming what is wrong otherwise', () => {
    expect(webhookUrlProblem('https://hooks.example.com/keyward?team=1')).toBeNull();
    expect(webhookUrlProblem('http://hooks.example.com:8080/x')).toBeNull();
    expect(webhookUrlProblem('ftp://hooks.example.com/')).toMatch(/http/);
    expect(webhookUrlProblem('hooks.example.com/x')).toMatch(/absolute/);
    expect(webhookUrlProblem('https://u:p@hooks.example.com/')).toMatch(/credentials/);
    expect(webhookUrlProblem('https://hooks.example.com/#x')).toMatch(/fragment/);
    expect(webhookUrlProblem(`https://hooks.example.com/${'a'.repeat(2048)}`)).toMatch(/2048/);
  });

  it('refuses an IP literal that is not public, unless private targets are allowed', async () => {
    await expect(checkTarget(new URL('http://[::1]:9/x'), false)).rejects.toBeInstanceOf(RefusedTargetError);
    await expect(checkTarget(new URL('http://127.0.0.1:9/x'), false)).rejects.toThrow(/WEBHOOK_ALLOW_PRIVATE/);
    await expect(checkTarget(new URL('http://127.0.0.1:9/x'), true)).resolves.toBeUndefined();
    await expect(checkTarget(new URL('http://8.8.8.8/x'), false)).resolves.toBeUndefined();
  });

  it('refuses a name resolving to a private address, at creation and again at connection time (rebinding)', async () => {
    await expect(checkTarget(new URL('http://localhost/x'), false)).rejects.toBeInstanceOf(RefusedTargetError);
    const refused = await new Promise<NodeJS.ErrnoException | null>((resolve) => guardedLookup(false)('localhost', {}, (err) => resolve(err)));
    expect(refused?.code).toBe('WEBHOOK_TARGET_REFUSED');
    const allowed = await new Promise<[NodeJS.ErrnoException | null, unknown]>((resolve) =>
      guardedLookup(true)('localhost', { all: true }, (err, address) => resolve([err, address])),
    );
    expect(allowed[0]).toBeNull();
    expect(allowed[1]).toEqual(expect.arrayContaining([expect.objectContaining({ address: expect.any(String) })]));
  });
});
