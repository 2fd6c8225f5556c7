/** The version of `@rapport/cli`. */
export const cliVersion = '0.1.0';
