import { describeEventBusConformance } from '../conformance/conformance-suite.js';
import { createMemoryBus, MemoryBroker } from './memory-bus.js';

const broker = new MemoryBroker();

describeEventBusConformance('memory', {
  createBus: async (catalogue) => createMemoryBus({ broker, catalogue }),
  publishRaw: async (channel, key, headers, body) => broker.append(channel, { key, headers, body }),
});
