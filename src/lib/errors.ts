// A small error hierarchy: each carries an HTTP status, a message key from the catalogue, and a
// stable code. The error middleware renders a friendly page from it; anything else is a 500.
export class AppError extends Error {
  readonly status: number;
  readonly messageKey: string;
  readonly code: string;
  constructor(status: number, code: string, messageKey: string) {
    super(code);
    this.status = status;
    this.code = code;
    this.messageKey = messageKey;
  }
}

export class NotFound extends AppError {
  constructor(messageKey = 'errors.notFound') {
    super(404, 'not_found', messageKey);
  }
}

export class Forbidden extends AppError {
  constructor(messageKey = 'errors.forbidden') {
    super(403, 'forbidden', messageKey);
  }
}

export class Invalid extends AppError {
  constructor(messageKey = 'errors.invalid') {
    super(400, 'invalid', messageKey);
  }
}

export class Conflict extends AppError {
  constructor(messageKey = 'errors.conflict') {
    super(409, 'conflict', messageKey);
  }
}

export class TooManyRequests extends AppError {
  constructor(messageKey = 'errors.tooManyRequests') {
    super(429, 'too_many_requests', messageKey);
  }
}
