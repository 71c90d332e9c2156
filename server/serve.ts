/**
 * `npm run serve -- --model <registry id or folder> [--port 8000] [--host 127.0.0.1] [--api-key KEY]
 * [--served-model-name NAME] [--max-body-mb 64]`: an OpenAI-compatible server on the Node engine.
 */
import { parseArgs } from 'node:util';
import { basename } from 'node:path';
import { loadNodeEngine } from '../engines/node/load';
import { ChatServer, DEFAULT_MAX_BODY_BYTES, formatLogEntry } from './openaiServer';

const USAGE = 'usage: npm run serve -- --model <registry id or model folder> [--port 8000] [--host 127.0.0.1] [--api-key KEY] [--served-model-name NAME] [--max-body-mb 64]';

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        model: { type: 'string' },
        port: { type: 'string', default: '8000' },
        host: { type: 'string', default: '127.0.0.1' },
        'api-key': { type: 'string' },
        'served-model-name': { type: 'string' },
        'max-body-mb': { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  if (values.help || !values.model) {
    console.error(USAGE);
    process.exit(values.help ? 0 : 2);
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port must be a port number (got ${values.port})\n${USAGE}`);
    process.exit(2);
  }
  const maxBodyBytes = values['max-body-mb'] ? Number(values['max-body-mb']) * 1024 * 1024 : DEFAULT_MAX_BODY_BYTES;
  console.error(`loading ${values.model} on onnxruntime-node...`);
  let engine;
  try {
    engine = await loadNodeEngine({ model: values.model });
  } catch (e) {
    console.error(`could not load ${values.model}: ${(e as Error).message}`);
    process.exit(1);
  }
  const modelName = values['served-model-name'] ?? (values.model.includes('/') ? basename(values.model) : values.model);
  const server = new ChatServer({ engine, modelName, apiKey: values['api-key'], maxBodyBytes, log: (entry) => console.error(formatLogEntry(entry)) });
  const address = await server.listen(port, values.host);
  // Tests and scripts read this line to learn the port (with --port 0).
  console.log(`serving "${modelName}" at http://${address.address}:${address.port}/v1 (${engine.loaded.info.dtypes.decoder_model_merged} decoder, ${values['api-key'] ? 'API key required' : 'no API key'})`);
  const stop = () => {
    void server.close().then(() => engine.dispose()).then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
