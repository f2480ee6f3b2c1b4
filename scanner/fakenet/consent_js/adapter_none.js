  update({ choice: false, statistics: false, marketing: false });
