/** Errors every engine and host throws: a coded failure, and the end of a cancelled request. */

export class CancelledError extends Error {
  readonly code = 'cancelled';
  constructor() {
    super('cancelled');
  }
}

export class EngineError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
