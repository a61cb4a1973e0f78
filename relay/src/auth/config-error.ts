/**
 * A relay setting that cannot work (an empty secret, an account id that is not an integer, a
 * users file with a bad entry): refused at start, naming the setting and what is wrong with it.
 * The command line turns it into its one-line refusal with exit code 2.
 */
export class AuthConfigError extends Error {
  constructor(
    /** The flag or option, e.g. `--users /etc/relay/users.json` or `auth.accountId`. */
    readonly setting: string,
    readonly why: string,
  ) {
    super(`${setting}: ${why}`);
    this.name = 'AuthConfigError';
  }
}
