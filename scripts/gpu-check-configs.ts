// Writes the resolved configs that scripts/gpu-check.sh passes to the torch engine on a machine without Node:
//   node --import tsx scripts/gpu-check-configs.ts        (test/unit/bench/gpu-check-configs.test.ts keeps them current)
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gpuCheckConfigs } from '../src/bench/torch-bench-config';

const dir = join(__dirname, 'gpu-check', 'configs');
for (const [name, config] of Object.entries(gpuCheckConfigs())) {
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(config, null, 2)}\n`);
  console.log(`${join(dir, name)}.json`);
}
