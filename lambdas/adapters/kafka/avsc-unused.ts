/**
 * Stands in for `avsc` in the task bundles (lib/handler-bundles.ts, BUNDLE_OPTIONS.alias). @platformatic/kafka
 * imports avsc only for the Avro serdes of its Confluent Schema Registry client, which no adapter of this project
 * uses; bundling it added 100 KB to every data-plane function. A call that would reach it fails naming why.
 */
function notBundled(): never {
  throw new Error(
    'avsc is not bundled into the task functions (lib/handler-bundles.ts): the Kafka adapters use no Schema Registry serdes.',
  );
}

const avsc = { Type: { forSchema: notBundled } };
export default avsc;
