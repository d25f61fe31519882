/** Labels of single sign-on (issue 17, item 1), Chinese and English (merged into i18n.ts's tables). */

export const SSO_ZH = {
  ssoSignIn: '使用单点登录',
  ssoOr: '或使用本平台的用户名和密码：',
  ssoFailed: '单点登录失败：',
  ssoUser: '单点登录用户（无本地密码）',
  sso_JN_AUTH_SSO_STATE: '登录已过期，或不是从本浏览器发起的。请重试。',
  sso_JN_AUTH_SSO_FAILED: '身份提供方拒绝了这次登录。请重试。',
  sso_JN_AUTH_SSO_UNMAPPED: '您所在的用户组没有本平台的权限，请联系管理员。',
  sso_JN_AUTH_SSO_CONFLICT: '该用户名已属于本平台的本地账户，请联系管理员。',
  sso_JN_AUTH_SSO_DISABLED: '您的账户已在本平台停用，请联系管理员。',
  sso_JN_AUTH_SSO_UNAVAILABLE: '暂时无法连接身份提供方，请稍后再试。',
};

export const SSO_EN: Record<keyof typeof SSO_ZH, string> = {
  ssoSignIn: 'Sign in with SSO',
  ssoOr: 'Or with a username and password of this platform:',
  ssoFailed: 'Single sign-on failed: ',
  ssoUser: 'Single sign-on user (no local password)',
  sso_JN_AUTH_SSO_STATE: 'The sign-in expired, or was not started in this browser. Try again.',
  sso_JN_AUTH_SSO_FAILED: 'The identity provider refused this sign-in. Try again.',
  sso_JN_AUTH_SSO_UNMAPPED: 'None of your groups has access to this platform: ask an administrator.',
  sso_JN_AUTH_SSO_CONFLICT: 'This username belongs to a local account of this platform: ask an administrator.',
  sso_JN_AUTH_SSO_DISABLED: 'Your account is disabled on this platform: ask an administrator.',
  sso_JN_AUTH_SSO_UNAVAILABLE: 'The identity provider cannot be reached: try again later.',
};
