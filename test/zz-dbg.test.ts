import { it } from 'vitest';
import { makeSessionFixture } from './helpers/session-fixture.js';
it('dbg', async () => {
  const fx = await makeSessionFixture();
  console.log(fx.read('sessions/s1/session.yaml'));
  fx.write('sessions/s1/session.yaml', fx.read('sessions/s1/session.yaml').replace('BC01: [ jdupont, pmartin ]', 'BC01: [pmartin, lbernard]'));
  const r = await fx.run(['validate', '--format', 'json']);
  console.log(r.code, r.stdout.slice(0, 3000), r.stderr);
  fx.cleanup();
});
