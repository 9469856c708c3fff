export {
  completeInnLegalEntity,
  completeOgrn,
  completeSnils,
  isValidInn,
  isValidInnIndividual,
  isValidInnLegalEntity,
  isValidOgrn,
  isValidOgrnAny,
  isValidOgrnip,
  isValidSnils,
  snilsCheckNumber,
} from './check-digits.ts';
