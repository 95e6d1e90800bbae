import { describe, expect, it } from 'vitest';
import { isLoopbackHost } from '../../src/shared/net.ts';

describe('isLoopbackHost', () => {
  it.each(['localhost', 'LOCALHOST', 'localhost.', 'mail.localhost', '127.0.0.1', '127.1.2.3', '127.255.255.254', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', '0:0:0:0:0:ffff:127.0.0.2'])(
    'treats %s as loopback',
    (host) => {
      expect(isLoopbackHost(host)).toBe(true);
    },
  );

  it.each(['0.0.0.0', '128.0.0.1', '10.0.0.1', '::', '::2', 'localhost.example.com', 'mylocalhost', '127.example.com', 'smtp.example.com', '::ffff:10.0.0.1', ''])(
    'does not treat %s as loopback',
    (host) => {
      expect(isLoopbackHost(host)).toBe(false);
    },
  );
});
