import { defineMessages } from '../i18n/i18n';

export const sessionMessages = defineMessages({
  en: {
    title: 'Sign in to tlp-broker',
    name: 'Name',
    password: 'Password',
    code: 'Authentication code',
    codeHint: 'The six digits from your authenticator app. Leave empty if you have not enrolled one yet.',
    signIn: 'Sign in',
    signingIn: 'Signing in…',
    expired: 'Your session ended. Sign in again.',
    throttled: 'Too many failed attempts. Try again in {seconds} s.',
    enrolTitle: 'Set up your second factor',
    enrolIntro:
      'Scan this code with an authenticator app (FreeOTP, Aegis, Google Authenticator…), then type the six digits it shows to finish signing in.',
    qrAlt: 'QR code of the authenticator secret for {name}',
    secret: 'Or type this secret by hand',
    confirm: 'Confirm',
    loading: 'Loading…',
  },
  fr: {
    title: 'Connexion à tlp-broker',
    name: 'Nom',
    password: 'Mot de passe',
    code: "Code d'authentification",
    codeHint:
      "Les six chiffres de votre application d'authentification. Laissez vide si vous n'en avez pas encore enregistré.",
    signIn: 'Se connecter',
    signingIn: 'Connexion…',
    expired: 'Votre session a pris fin. Reconnectez-vous.',
    throttled: 'Trop de tentatives échouées. Réessayez dans {seconds} s.',
    enrolTitle: 'Configurer votre second facteur',
    enrolIntro:
      "Scannez ce code avec une application d'authentification (FreeOTP, Aegis, Google Authenticator…), puis saisissez les six chiffres qu'elle affiche pour terminer la connexion.",
    qrAlt: "QR code du secret d'authentification de {name}",
    secret: 'Ou saisissez ce secret à la main',
    confirm: 'Confirmer',
    loading: 'Chargement…',
  },
});
