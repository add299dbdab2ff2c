import { registerDecorator, ValidationOptions } from 'class-validator';
import { parsePapLabel, parseTlpLabel } from '@tlp-broker/tlp';

/** Accepts TLP 2.0, TLP 1.0 and ISTLP 1.1 spellings; the service stores the TLP 2.0 form. */
export function IsTlpLabel(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isTlpLabel',
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        validate: (value: unknown) => parseTlpLabel(value).ok,
        defaultMessage: (args) => {
          const result = parseTlpLabel(args?.value);
          return result.ok ? '' : result.error;
        },
      },
    });
}

export function IsPapLabel(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isPapLabel',
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        validate: (value: unknown) => parsePapLabel(value).ok,
        defaultMessage: (args) => {
          const result = parsePapLabel(args?.value);
          return result.ok ? '' : result.error;
        },
      },
    });
}
