// CSS imported for its side effect: esbuild writes it next to each bundle (<name>.css).
declare module "*.css";
