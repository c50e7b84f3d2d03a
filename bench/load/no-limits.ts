/**
 * `parley serve` flags that turn the abuse limits off. Load tests and benchmarks are one "user" per connection sending
 * far above human rates; the limits would measure themselves instead of the server. (The test suite uses them too.)
 */
export const NO_LIMIT_FLAGS: readonly string[] = [
  '--commands-per-sec',
  '0',
  '--user-messages-per-sec',
  '0',
  '--max-connections-per-ip',
  '0',
  '--max-connections-per-user',
  '0',
  '--handshakes-per-ip-per-sec',
  '0',
  '--reply-bytes-per-sec',
  '0',
];
