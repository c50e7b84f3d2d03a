import type { RedisKeys } from '../redis/keys.js';
import type { RedisLink } from '../redis/link.js';
import { takeTokenScript } from '../redis/scripts.js';
import type { Clock } from '../util/clock.js';
import type { MessageRateLimiter } from './message-rate.js';

/**
 * The message rate across a cluster: the user's bucket is one Redis hash in the user's own slot, taken by a Lua
 * script. (On a single Redis the log checks the same bucket inside its publish script instead, saving a round trip.)
 */
export class RedisMessageRate implements MessageRateLimiter {
  constructor(
    private readonly link: RedisLink,
    private readonly keys: RedisKeys,
    private readonly ratePerSec: number,
    private readonly clock: Clock,
  ) {}

  async take(userId: string): Promise<number> {
    const rate = this.ratePerSec;
    const args = [rate, rate * 2, this.clock.now()];
    return Number(await this.link.run(takeTokenScript, [this.keys.userRate(userId)], args));
  }
}
