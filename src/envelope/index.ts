/** The envelope domain: envelope.xml / receipt.xml (schemas, build, safe parse) and the ZIP container. Pure, no database. */
export * from './xml/index.ts';
export * from './container/index.ts';
