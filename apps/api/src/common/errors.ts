import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';

export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

/** A 400 naming each field at fault: `{statusCode, error, message, details: [{field, message}]}`. */
export function invalidFields(problems: FieldProblem[]): BadRequestException {
  return new BadRequestException({
    statusCode: 400,
    error: 'Bad Request',
    message: problems.map((problem) => `${problem.field}: ${problem.message}`).join('; '),
    details: problems,
  });
}

export function invalidField(field: string, message: string): BadRequestException {
  return invalidFields([{ field, message }]);
}

function flatten(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** Strict DTO validation: unknown properties are refused, not silently dropped. */
export function strictValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => invalidFields(flatten(errors)),
  });
}
