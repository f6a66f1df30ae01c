import preset from '../../jest.preset.js';

export default { ...preset, displayName: 'etcd-operator', rootDir: import.meta.dirname };
