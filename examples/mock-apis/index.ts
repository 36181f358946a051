// Local mock third-party APIs, faithful to the wire formats of APIS.md, for tests and examples.
export * from './server';
export * from './idempotency';
export * from './oauth';
export * from './hubspot';
export * from './pipedrive';
export * from './salesforce';
export * from './stripe';
export * from './shopify';
export * from './shopify-rest';
export * from './zendesk';
export * from './mailchimp';
