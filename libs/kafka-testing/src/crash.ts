import { type KafkaClient } from '@penumbra/kafka';

/**
 * Wraps a client so that its consumers kill the whole process with SIGKILL at the first commit:
 * after the handler's output is durable, before the offsets are. For crash tests in a child process.
 */
export function killBeforeCommit(client: KafkaClient): KafkaClient {
  return {
    clientId: client.clientId,
    admin: () => client.admin(),
    producer: (o) => client.producer(o),
    consumer(options) {
      const inner = client.consumer(options);
      return {
        ...inner,
        run: (onBatch) =>
          inner.run((batch, control) =>
            onBatch(batch, {
              ...control,
              commit: async () => {
                process.kill(process.pid, 'SIGKILL');
                await new Promise(() => undefined);
              },
            }),
          ),
      };
    },
  };
}
