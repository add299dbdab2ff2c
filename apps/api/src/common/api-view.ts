import { ApiResponse } from '@nestjs/swagger';

export interface ApiViewOptions {
  /** The answer is a list of the view. */
  readonly array?: boolean;
  /** 200 unless told. */
  readonly status?: number;
  readonly description?: string;
}

/**
 * Documents a route's answer as one of the view schemas (`#/components/schemas/<name>`), which are
 * generated from the exported view types, so the OpenAPI document describes what the route returns.
 */
export function ApiView(name: string, options: ApiViewOptions = {}): MethodDecorator {
  const ref = { $ref: `#/components/schemas/${name}` };
  return ApiResponse({
    status: options.status ?? 200,
    description: options.description ?? name,
    schema: options.array ? { type: 'array', items: ref } : ref,
  });
}

/**
 * Documents a route whose answer is a standard document rather than one of the views (an RSS feed,
 * an armored key, a MISP manifest…): its media type and what it is.
 */
export function ApiDocument(mediaType: string, description: string): MethodDecorator {
  const schema = mediaType.endsWith('json') ? { type: 'object', additionalProperties: true } : { type: 'string' };
  return ApiResponse({ status: 200, description, content: { [mediaType]: { schema } } });
}
